"""Export a view: a standalone HTML page, each figure as SVG, the figures' data as CSV, the weights and a
script that reproduces one reported number.

Everything is built from a finished result, so exporting never trains. The weights are written as
safetensors, which load without unpickling; ``reproduce.py`` rebuilds the model with plain torch.
SVGs are drawn by kaleido in the Chromium already on the machine (nothing is downloaded); kaleido is
installed with the app (``pip install "rnnviz[app]"``), so ``pip install .`` stays light and its exports
say on their page why they hold no SVG.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import torch
from safetensors.torch import save as save_safetensors

from rnnviz.core.figures import PLAYER_HEIGHT, file_stem, plain, text_alternative
from rnnviz.core.fmt import jsonable

WEIGHTS_FILE = "model.safetensors"
SCRIPT_FILE = "reproduce.py"
PAGE_FILE = "index.html"
SETTINGS_FILE = "settings.json"
DATA_DIR = "data"
FIGURES_DIR = "figures"
SVG_WIDTH = 900
"""Width in px of an SVG whose figure sets none: the page's main column, so text sizes read as on the page."""
SVG_HEIGHT = 500
"""Height in px of an SVG whose figure sets none (Plotly's own default)."""
SVG_TIMEOUT_S = 120
"""Longest wait for one figure's SVG before the export gives up on SVGs and says so."""
SVG_DEADLINE_S = 180
"""Longest wait for all of an export's SVGs, Chromium's start included (about 10 s is usual)."""
SVG_INSTALL = 'pip install "rnnviz[app]"'
"""What installs the SVG engine (kaleido, pinned in requirements-app.txt)."""
SVG_SWITCH = "RNNVIZ_SVG"
"""Set to 0 to export without SVGs: starting Chromium is most of an export's time (tests that are not
about the SVGs, quick command-line exports)."""


@dataclass(frozen=True)
class Export:
    """What a view offers for download; its experiment's ``export(cfg, result)`` builds it."""

    figures: Mapping[str, go.Figure]
    """Title of each figure -> the figure, as the page draws it."""
    tables: Mapping[str, pd.DataFrame]
    """File stem -> the data behind a figure, with units in the column names, e.g. 'step (t)'."""
    weights: Mapping[str, torch.Tensor] = field(default_factory=dict)
    """The trained model's state_dict; empty when the view trains nothing."""
    reproduce: str | None = None
    """The source of reproduce.py: rebuild the model, load the weights, print one metric as JSON."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Anything else reproduce.py reads (e.g. the input sequence as JSON)."""


def key_numbers(metrics: Mapping[str, Any]) -> dict[str, str]:
    """The report's scalar metrics, named and formatted for a reader."""
    out = {}
    for name, value in metrics.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            out[name] = f"{value:,}"
        elif isinstance(value, float):
            out[name] = f"{value:.4g}"
    return out


@dataclass(frozen=True)
class Svgs:
    """Each figure as an SVG file, or why there are none."""

    files: Mapping[str, bytes]
    """File name under ``figures/`` -> the SVG, keyed in the order of the figures."""
    names: Mapping[str, str]
    """Title of each figure -> its SVG's file name; empty when there are none."""
    missing: str | None = None
    """Why the export holds no SVG (no engine, no browser, a failed render); None when it holds them."""


def svg_names(titles: Sequence[str]) -> dict[str, str]:
    """Title -> file name: the title's words, numbered when two titles give the same name."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for title in titles:
        stem = base = file_stem(title)
        n = 1
        while stem.lower() in taken:
            n += 1
            stem = f"{base} {n}"
        taken.add(stem.lower())
        names[title] = f"{stem}.svg"
    return names


def static_figure(fig: go.Figure) -> dict[str, Any]:
    """The figure as a still image draws it: a film's Play button and slider drive nothing on paper, so
    they go with the room made for them (the figure shows its last frame, the trained model); every
    trace gets a fixed id, so the same figure gives the same SVG bytes."""
    spec = fig.to_dict()
    spec.pop("frames", None)
    layout = spec.setdefault("layout", {})
    layout.pop("updatemenus", None)
    if layout.pop("sliders", None) and layout.get("height"):
        layout["height"] -= PLAYER_HEIGHT
        margin = layout.setdefault("margin", {})
        margin["b"] = max((margin.get("b") or 0) - PLAYER_HEIGHT, 0)
    for i, trace in enumerate(spec.get("data", [])):
        trace["uid"] = f"trace{i}"
    return spec


_DRAWING = threading.Lock()
"""One Chromium drawing at a time per process: a class clicking Download together queues rather than
starting a browser each on a small server."""

_PLOT_ID = re.compile(r'<defs id="defs-([0-9a-z]+)"')
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def tidy_svg(svg: bytes, title: str, description: str, index: int) -> bytes:
    """Plotly names its clip paths after a random id per drawing: fixed here, so an SVG is the same bytes
    every time. The title and the figure's text alternative go in, so the file speaks for itself."""
    text = svg.decode()
    found = _PLOT_ID.search(text)
    if found is not None:
        text = text.replace(found.group(1), f"fig{index}")
    opened = _SVG_OPEN.search(text)
    if opened is not None:
        head = opened.group(0)[:-1].rstrip("/")
        label = (
            f' role="img" aria-labelledby="fig{index}-title fig{index}-desc">'
            f'<title id="fig{index}-title">{html.escape(plain(title))}</title>'
            f'<desc id="fig{index}-desc">{html.escape(description)}</desc>'
        )
        text = text[: opened.start()] + head + label + text[opened.end() :]
    return text.encode()


async def _render(specs: Sequence[dict[str, Any]]) -> list[bytes]:
    """Every figure through one Chromium: starting the browser is most of the cost, each figure is little.

    MathJax off: it would be fetched from a CDN, and no label here uses LaTeX.
    """
    import kaleido

    out = []
    async with kaleido.Kaleido(mathjax=False, timeout=SVG_TIMEOUT_S) as engine:
        for spec in specs:
            layout = spec.get("layout", {})
            opts = {
                "format": "svg",
                "width": layout.get("width") or SVG_WIDTH,
                "height": layout.get("height") or SVG_HEIGHT,
            }
            out.append(await engine.calc_fig(spec, opts=opts))
    return out


def _draw(specs: Sequence[dict[str, Any]]) -> list[bytes]:
    """Run :func:`_render` on a thread of its own with a deadline. A Chromium that dies mid-drawing can
    leave kaleido waiting for ever (seen in the tests); the export then goes on without SVGs, and the
    abandoned daemon thread does not keep the process from exiting."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["svgs"] = asyncio.run(_render(specs))
        except BaseException as err:  # handed to the caller below
            box["error"] = err

    thread = threading.Thread(target=work, name="rnnviz-svg", daemon=True)
    thread.start()
    thread.join(SVG_DEADLINE_S)
    if thread.is_alive():
        raise TimeoutError(f"Chromium did not finish within {SVG_DEADLINE_S:g} s")
    if "error" in box:
        raise box["error"]
    return box["svgs"]


def figure_svgs(figures: Mapping[str, go.Figure]) -> Svgs:
    """Each figure as an SVG, drawn by kaleido in the machine's Chromium; or, when that cannot be done,
    none and the reason, so the rest of the export is still written.

    The drawing runs on its own thread and event loop (:func:`_draw`), so it works where a loop already
    runs too (a notebook calling ``Result.export``).
    """
    if not figures:
        return Svgs({}, {})
    if os.environ.get(SVG_SWITCH, "1") == "0":
        return Svgs({}, {}, f"they were turned off ({SVG_SWITCH}=0)")
    try:
        import kaleido.errors
    except ImportError:
        return Svgs({}, {}, f"the SVG engine (kaleido) is not installed; {SVG_INSTALL} adds it")
    specs = [static_figure(fig) for fig in figures.values()]
    try:
        with _DRAWING:
            drawn = _draw(specs)
    except kaleido.errors.ChromeNotFoundError:
        return Svgs(
            {},
            {},
            "no Chrome or Chromium was found to draw them (install Chromium, or set BROWSER_PATH to one)",
        )
    except Exception as err:  # a crashed or hung browser must not cost the reader the rest of the export
        return Svgs({}, {}, f"drawing them failed: {type(err).__name__}: {err}")
    names = svg_names(list(figures))
    files = {
        names[title]: tidy_svg(svg, title, text_alternative(fig), i)
        for i, ((title, fig), svg) in enumerate(zip(figures.items(), drawn, strict=True))
    }
    return Svgs(files, names)


def standalone_html(
    title: str,
    settings: Mapping[str, Any],
    share_url: str,
    metrics: Mapping[str, Any],
    figures: Mapping[str, go.Figure],
    svgs: Svgs | None = None,
) -> str:
    """One HTML file that opens offline: Plotly's script is embedded once, nothing is fetched. Each figure
    links its SVG file; when there are none, the page says why, where the reader looks for them."""
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in settings.items()
    )
    numbers = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in key_numbers(metrics).items()
    )
    parts = []
    for i, (name, fig) in enumerate(figures.items()):
        body = fig.to_html(
            full_html=False, include_plotlyjs=i == 0, auto_play=False, config={"displaylogo": False}
        )
        svg = svgs.names.get(name) if svgs is not None else None
        saved = (
            f'<p>As an image: <a href="{FIGURES_DIR}/{quote(svg)}">{html.escape(svg)}</a></p>' if svg else ""
        )
        parts.append(f"<section><h2>{html.escape(name)}</h2>{body}{saved}</section>")
    link = html.escape(share_url)
    images = ""
    if svgs is not None and svgs.names:
        images = f"<p>Each figure is also saved as SVG in the folder {FIGURES_DIR}/, its data as CSV in {DATA_DIR}/.</p>"
    elif svgs is not None and svgs.missing:
        images = (
            f"<p><strong>No SVG figures in this export:</strong> {html.escape(svgs.missing)}. "
            f"The figures' data is in {DATA_DIR}/ as CSV.</p>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rnnviz: {html.escape(title)}</title>
<style>
body {{ font-family: Inter, "Source Sans Pro", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th, td {{ text-align: left; padding: 2px 12px 2px 0; }} th {{ font-weight: 600; }}
</style></head><body>
<h1>rnnviz: {html.escape(title)}</h1>
<p>Open this view live: <a href="{link}">{link}</a></p>
<h2>Key numbers</h2><table>{numbers}</table>
<h2>Settings</h2><table>{rows}</table>
{images}
{"".join(parts)}
</body></html>
"""


def bundle(
    title: str,
    settings: Mapping[str, Any],
    report: Mapping[str, Any],
    export: Export,
    share_url: str,
) -> dict[str, bytes]:
    """File name -> contents: the page, each figure as SVG, the data, the weights, the script and the
    settings."""
    svgs = figure_svgs(export.figures)
    files = {
        PAGE_FILE: standalone_html(
            title, settings, share_url, report.get("metrics", {}), export.figures, svgs
        ).encode(),
        SETTINGS_FILE: json.dumps(
            jsonable({"settings": dict(settings), "link": share_url, "metrics": report.get("metrics", {})}),
            indent=2,
        ).encode(),
    }
    for name, svg in svgs.files.items():
        files[f"{FIGURES_DIR}/{name}"] = svg
    for stem, table in export.tables.items():
        files[f"{DATA_DIR}/{stem}.csv"] = table.to_csv(index=False).encode()
    if export.weights:
        tensors = {k: v.detach().contiguous().clone() for k, v in export.weights.items()}
        files[WEIGHTS_FILE] = save_safetensors(tensors)
    if export.reproduce is not None:
        files[SCRIPT_FILE] = export.reproduce.encode()
    files.update(export.files)
    return files


def zip_bytes(files: Mapping[str, bytes], folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()


def write(files: Mapping[str, bytes], directory: str | Path) -> Path:
    root = Path(directory)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root
