"""The server's own warm-up visits (deploy/warm.py) open what a class opens."""

from streamlit.proto.BackMsg_pb2 import BackMsg

from deploy.warm import pages_to_warm, rerun_message
from rnnviz.views import views
from rnnviz.views.gallery import gallery


def test_the_warm_up_opens_home_every_default_link_and_every_gallery_link():
    planned = pages_to_warm()
    assert planned[0] == ("", "")
    assert {(v.slug, "") for v in views()} <= set(planned)
    assert {(link.view, link.query) for link in gallery()} <= set(planned)
    assert len(planned) == len(set(planned))


def test_a_warm_up_visit_asks_for_the_page_and_query_a_browser_would():
    msg = BackMsg.FromString(rerun_message("patterns", "pattern=bidirectional"))
    assert msg.rerun_script.page_name == "patterns"
    assert msg.rerun_script.query_string == "pattern=bidirectional"
    assert not msg.rerun_script.widget_states.widgets
