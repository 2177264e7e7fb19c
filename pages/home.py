import streamlit as st

from rnnviz.views import VIEWS

st.title("rnnviz: look inside recurrent networks")
st.markdown(
    "Train small recurrent networks **live** and see every hidden state, gate and gradient. "
    "Each view trains a real PyTorch model on your settings in seconds, then opens it up: "
    "the numbers in every picture and equation are the model's own."
)
st.markdown(
    ":material/share: **Every view is a link.** Settings live in the page address, and the seed is one "
    "of them, so a link you send reproduces the same trained model and the same pictures. Use "
    "*Share this view* in the sidebar."
)
cols = st.columns(3)
for i, view in enumerate(VIEWS):
    with cols[i % 3].container(border=True, height="stretch"):
        st.markdown(f"#### {view.title}")
        st.write(view.finding)
        st.page_link(f"pages/{view.slug}.py", label=f"Open {view.title.lower()}", icon=view.icon)
