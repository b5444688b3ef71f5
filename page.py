"""The page script: Optimization Playground, a real PyTorch network training live (served by app.py)."""

import streamlit as st

st.set_page_config(page_title="Optimization Playground", page_icon="📉", layout="wide")
# Streamlit dims elements while a script run is in flight; the live fragment runs several
# times a second, so that dimming would make the charts flicker. Keep them fully opaque.
st.html("<style>.stElementContainer[data-stale='true']{opacity:1 !important;transition:none !important}"
        # A compact head, so the transport and the live charts start high enough to fit one screen.
        "[data-testid='stMainBlockContainer']{padding-top:1rem !important}"
        "[data-testid='stMain'] [data-testid='stVerticalBlock']{gap:0.7rem}"
        ".stElementContainer h1{font-size:1.6rem !important;padding:0 !important}"
        # The folded CSV panel beside the title adds no height: the title's own box is 15 px (its text overflows
        # it), so the folded panel (32 px) takes 15 px of flow by its margins; opened, it pushes the page down.
        ".st-key-title_corner summary{padding:0 0.75rem;min-height:0;height:1.9rem}"
        ".st-key-title_corner:has(details:not([open])){margin:-8px 0 -9px}"
        # The single run's settings row starts with labels, clear of the title's overflowing text; the other
        # pages start with a box (race, surfaces) or text (sweep) that the title's text overlapped (seen).
        "[data-testid=stMain]:not(:has(.st-key-quick_row)) .st-key-title_row{margin-bottom:0.9rem}</style>")
# The title's row has room at its right: a loaded CSV file's folded panel sits there, adding no height.
title, corner = st.container(key="title_row").columns([1, 1], vertical_alignment="top")
corner = corner.container(key="title_corner")
title.title("Optimization Playground", help="Pick an optimizer, learning rate, batch size and regularization, "
            "press Play: a real PyTorch network learns, live.")

# The first visitor to a fresh server may arrive while app.py's warm-up still imports torch;
# say so instead of a blank page, and wait for it rather than import alongside it.
with st.spinner("Loading PyTorch…"):
    from playground import warmup

    warmup.warm()

    from playground.ui import main

main.page(corner)
