"""The page script: Optimization Playground, a real PyTorch network training live (served by app.py)."""

import streamlit as st

st.set_page_config(page_title="Optimization Playground", page_icon="📉", layout="wide")
# Streamlit dims elements while a script run is in flight; the live fragment runs several
# times a second, so that dimming would make the charts flicker. Keep them fully opaque.
st.html("<style>.stElementContainer[data-stale='true']{opacity:1 !important;transition:none !important}"
        # A compact head, so the transport and the live charts start high enough to fit one screen.
        "[data-testid='stMainBlockContainer']{padding-top:1rem !important}"
        "[data-testid='stMain'] [data-testid='stVerticalBlock']{gap:0.7rem}"
        ".stElementContainer h1{font-size:1.6rem !important;padding:0 !important}</style>")
st.title("Optimization Playground", help="Pick an optimizer, learning rate, batch size and regularization, press "
         "Play: a real PyTorch network learns, live.")

# The first visitor to a fresh server may arrive while app.py's warm-up still imports torch;
# say so instead of a blank page, and wait for it rather than import alongside it.
with st.spinner("Loading PyTorch…"):
    from playground import warmup

    warmup.warm()

    from playground.ui import main

main.page()
