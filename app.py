"""rnnviz: the Streamlit entry point. Navigation only; each view lives in pages/."""

import streamlit as st

from deploy.warm import WARM_HEADER, warm_pages
from rnnviz.core.runtime import configure_torch, lower_priority, prewarm, warm_up
from rnnviz.views import get, views
from rnnviz.views.gallery import comparison_jobs, prewarm_jobs

st.set_page_config(
    page_title="rnnviz: look inside recurrent networks",
    page_icon="🔁",
    layout="wide",
)
configure_torch()
warm_up()
prewarm(prewarm_jobs() + comparison_jobs(), get, then=warm_pages)
if st.context.headers.get(WARM_HEADER):  # the server's own warm-up visit: visitors go first
    lower_priority()

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
pages = [st.Page(f"pages/{v.slug}.py", title=v.title, icon=v.icon, url_path=v.slug) for v in views()]
# The app draws its own links: Streamlit's sidebar list puts <div>s inside its <ul>, which screen readers
# announce as a broken list (axe: list, listitem); st.page_link is a plain link per page.
chosen = st.navigation([home, *pages], position="hidden")
with st.sidebar.container(key="rnnviz-nav"):
    st.page_link(home)
    st.caption("Views")
    for p in pages:
        st.page_link(p)
chosen.run()
