"""rnnviz: train small recurrent networks and look inside them. This package never imports streamlit.

The same experiments as the app and the command line, from Python::

    import rnnviz
    rnnviz.experiments()                    # names
    rnnviz.settings("unroll", hidden=4)     # a validated Config
    res = rnnviz.run("unroll", hidden=4)    # its (cached) result
"""

from __future__ import annotations

from typing import Any


def experiments() -> list[str]:
    from rnnviz.views import experiments as registry

    return list(registry())


def settings(name: str, **values: Any) -> Any:
    """The experiment's Config with ``values``, clamped into range (a note for each change is dropped)."""
    from rnnviz.core.config import validate
    from rnnviz.views import get

    cfg, _ = validate(get(name).config(**values))
    return cfg


def run(name: str, **values: Any) -> Any:
    """Train (or fetch from the cache) the experiment's result for these settings."""
    from rnnviz.core.runtime import result
    from rnnviz.views import get

    return result(get(name), settings(name, **values), get)
