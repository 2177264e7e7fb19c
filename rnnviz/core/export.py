"""Export a view: a standalone HTML page, the figures' data as CSV, the weights and a script that
reproduces one reported number.

Everything is built from a finished result, so exporting never trains. The weights are written as
safetensors, which load without unpickling; ``reproduce.py`` rebuilds the model with plain torch.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import torch
from safetensors.torch import save as save_safetensors

from rnnviz.core.fmt import jsonable

WEIGHTS_FILE = "model.safetensors"
SCRIPT_FILE = "reproduce.py"
PAGE_FILE = "index.html"
SETTINGS_FILE = "settings.json"
DATA_DIR = "data"


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


def standalone_html(
    title: str,
    settings: Mapping[str, Any],
    share_url: str,
    metrics: Mapping[str, Any],
    figures: Mapping[str, go.Figure],
) -> str:
    """One HTML file that opens offline: Plotly's script is embedded once, nothing is fetched."""
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
        parts.append(f"<section><h2>{html.escape(name)}</h2>{body}</section>")
    link = html.escape(share_url)
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
    """File name -> contents: the page, the data, the weights, the script and the settings."""
    files = {
        PAGE_FILE: standalone_html(
            title, settings, share_url, report.get("metrics", {}), export.figures
        ).encode(),
        SETTINGS_FILE: json.dumps(
            jsonable({"settings": dict(settings), "link": share_url, "metrics": report.get("metrics", {})}),
            indent=2,
        ).encode(),
    }
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
