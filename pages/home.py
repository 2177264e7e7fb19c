from pathlib import Path

import streamlit as st

from rnnviz.views import views

THUMBNAILS = Path(__file__).resolve().parent.parent / "docs" / "thumbnails"
PER_ROW = 3

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
for start in range(0, len(views()), PER_ROW):
    for col, view in zip(st.columns(PER_ROW), views()[start : start + PER_ROW], strict=False):
        with col.container(border=True, height="stretch"):
            thumbnail = THUMBNAILS / f"{view.slug}.png"
            if thumbnail.exists():
                st.image(str(thumbnail))
            st.page_link(f"pages/{view.slug}.py", label=f"**{view.title}**", icon=view.icon)
            st.write(view.finding)
