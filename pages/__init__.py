"""The app's pages: one thin script per view, plus the Streamlit glue they share (pages.ui, and pages.assistive for keyboard and screen-reader users)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:
    # Until app.py has called st.navigation once in this server process, Streamlit takes a folder
    # named pages/ for its older multipage convention and runs a deep-linked page file directly,
    # skipping app.py (navigation, page config, torch thread settings). A shared link is often a
    # fresh server's first request, so switch that convention off and run again, through app.py.
    PagesManager.uses_pages_directory = False
    st.rerun()
