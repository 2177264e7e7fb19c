"""rnnviz: the Streamlit entry point. Navigation only; each view lives in pages/."""

import streamlit as st

from rnnviz.core.runtime import configure_torch, prewarm, warm_up
from rnnviz.views import get, views
from rnnviz.views.gallery import prewarm_jobs

st.set_page_config(
    page_title="rnnviz: look inside recurrent networks",
    page_icon="🔁",
    layout="wide",
)
configure_torch()
warm_up()
prewarm(prewarm_jobs(), get)

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
pages = [st.Page(f"pages/{v.slug}.py", title=v.title, icon=v.icon, url_path=v.slug) for v in views()]
st.navigation({"rnnviz": [home], "Views": pages}).run()
