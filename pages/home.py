import re
from pathlib import Path
from urllib.parse import parse_qsl

import streamlit as st

from pages import ui
from pages.assistive import assistive
from rnnviz.views import View, views
from rnnviz.views.gallery import Link, gallery

# Home-page pictures are served by Streamlit's static file server: no Python work per visit.
STATIC = Path(__file__).resolve().parent.parent / "static"
THUMBNAILS = "thumbnails"
PER_ROW = 3
FIRST_SENTENCE = re.compile(r".+?\.(?=\s[A-Z(]|$)|.+", re.DOTALL)

assistive()
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


def headline(view: View, cfg: object) -> str | None:
    """The first sentence of the headline claim of the result these settings give, once someone (or
    pre-warming) has trained it: a card has room for the finding, the page has the rest."""
    res = ui.cached(view.experiment, cfg)
    found = view.experiment.findings(cfg, res) if res is not None else ()
    return FIRST_SENTENCE.match(found[0].text).group(0) if found else None


def gallery_note(link: Link) -> str:
    """What the link shows: its run's finding once trained, else what to look for."""
    view = next(v for v in views() if v.slug == link.view)
    return headline(view, link.config()[0]) or link.note


found = views()
for start in range(0, len(found), PER_ROW):
    for col, view in zip(st.columns(PER_ROW), found[start : start + PER_ROW], strict=False):
        with col.container(border=True, height="stretch"):
            if (STATIC / THUMBNAILS / f"{view.slug}.png").exists():
                st.markdown(f"![{view.title}](app/static/{THUMBNAILS}/{view.slug}.png)")
            st.page_link(f"pages/{view.slug}.py", label=f"**{view.title}**", icon=view.icon)
            st.write(headline(view, view.experiment.config()) or view.finding)

st.subheader("Gallery")
st.caption("Famous settings, ready when the server starts: these links open without waiting for training.")
for link in gallery():  # a link's label is one line, cut where the page ends: the note goes under it
    with st.container(gap=None):
        st.page_link(
            f"pages/{link.view}.py",
            label=f"**{link.title}**",
            icon=":material/star:",
            query_params=dict(parse_qsl(link.query)),
        )
        st.caption(gallery_note(link))
