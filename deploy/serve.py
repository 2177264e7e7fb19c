"""``rnnviz serve``: the Streamlit app, with pre-warming started by the server rather than its first visitor.

``streamlit run app.py`` runs app.py (which starts pre-warming) only when the first browser session
opens, so the first visitors of a fresh or woken server wait behind the default trainings. This starts
the same background job in the server's own process before Streamlit serves anything; once the defaults
and gallery links are cached, the server opens each of those pages itself (deploy/warm.py), so their
figures and films are built too, and then writes ``RNNVIZ_READY_FILE`` (if set): the readiness signal a
health check or a balancer waits for. app.py's own call then finds it started and does nothing.

Run: .venv/bin/rnnviz serve [streamlit run options, e.g. --server.port 8501]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


def main(argv: Sequence[str]) -> int:
    from streamlit.web import cli as streamlit_cli

    from deploy.warm import warm_pages
    from rnnviz.core.runtime import configure_torch, prewarm, warm_up
    from rnnviz.views import get
    from rnnviz.views.gallery import comparison_jobs, prewarm_jobs

    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    configure_torch()
    warm_up()
    prewarm(prewarm_jobs() + comparison_jobs(), get, then=warm_pages)
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return streamlit_cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
