"""`streamlit run app.py`: Streamlit's server for page.py, warmed before the first visitor arrives.

The lifespan hook (st.App) starts the warm-up as the server starts: torch, sklearn and the
app's modules are imported and one epoch is trained, so the first page waits for none of it.
It also serves the live feed (playground.live.feed), where each chart polls its frames and loss
points between reruns. `streamlit run page.py` serves the same page without the warm-up, and
its ticks carry the charts' data.
"""

import streamlit as st

from playground.live import feed
from playground.warmup import lifespan

app = st.App("page.py", lifespan=lifespan, routes=feed.routes())
