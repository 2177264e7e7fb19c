"""Streamlit glue shared by every page: Config to widgets and URL, cached runs with progress, sharing.

Pages stay thin: :func:`page` gives them the settings and the (cached or freshly trained) result,
and they draw the figures that rnnviz builds.
"""

from __future__ import annotations

import html
import itertools
import json
import time
import weakref
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from pages.assistive import assistive
from rnnviz.core import compare, compare_figures, export
from rnnviz.core import config as cfgmod
from rnnviz.core.experiment import Experiment, LiveFigure
from rnnviz.core.figures import figure_tables, file_stem, live_loss_curve, text_alternative
from rnnviz.core.fit import Progress
from rnnviz.core.runtime import MAX_UPLOAD_MB, RESULTS, complete, result, result_key, wait_message
from rnnviz.views import get

C = TypeVar("C")
R = TypeVar("R")
T = TypeVar("T")

LIVE_DRAW_SHARE = 0.1
"""Most of a training's wall time that redrawing its live figure may take."""
LIVE_REDRAW_S = 0.5
"""Fewest seconds between two redraws of the live figures: twice a second reads as live, while a redraw at
every progress report (about seven a second) had the server build and send, and the visitor's browser lay out,
a new chart each time (bench/README.md: a few seconds of server time per default training)."""


def _key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}"


def _url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _signature(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else (v,)) for k, v in params.items()))


def _load_from_url(cls: type, prefix: str) -> None:
    """Push the URL's settings into widget state, once per distinct URL (first visit, pasted link)."""
    params = _url_params()
    sig = _signature(params)
    if st.session_state.get(_key(prefix, "__url")) == sig:
        return
    cfg, notes = cfgmod.from_query(cls, params)
    locked, lock_notes = cfgmod.parse_lock(params.get(cfgmod.LOCK_KEY), cls)
    for s in cfgmod.specs(cls):
        st.session_state[_key(prefix, s.name)] = getattr(cfg, s.name)
    st.session_state[_key(prefix, "__url")] = sig
    st.session_state[_key(prefix, "__notes")] = notes + lock_notes
    st.session_state[_key(prefix, "__locked")] = {n: getattr(cfg, n) for n in locked}


def _keep_unshown_settings(cls: type, prefix: str) -> None:
    """Keep settings whose widgets this run may not draw: display settings of a part of the page not
    picked, and settings hidden because they do not apply under the others.

    Streamlit forgets a widget's value when a run does not draw it; assigning it back keeps it, so the
    setting survives until it is shown again.
    """
    for s in cfgmod.specs(cls):
        key = _key(prefix, s.name)
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _widget(spec: cfgmod.Spec, key: str) -> None:
    kw = dict(key=key, help=spec.help)
    label = spec.label + (f" ({spec.unit})" if spec.unit and spec.unit not in spec.label else "")
    if spec.kind is bool:
        st.toggle(label, **kw)
    elif spec.choices is not None and spec.kind is str:
        st.selectbox(label, spec.choices, format_func=spec.option_label, **kw)
    elif spec.choices is not None:
        st.select_slider(label, spec.choices, format_func=lambda v: f"{v:g}", **kw)
    elif spec.kind is int and spec.name == "seed":
        st.number_input(label, min_value=int(spec.min), max_value=int(spec.max), step=1, **kw)
    elif spec.kind in (int, float):
        step = spec.step if spec.step is not None else (1 if spec.kind is int else None)
        st.slider(
            label,
            spec.kind(spec.min),
            spec.kind(spec.max),
            step=spec.kind(step) if step else None,
            **kw,
        )
    elif spec.multiline:
        st.text_area(label, max_chars=spec.max_chars, **kw)
    else:
        st.text_input(label, max_chars=spec.max_chars, **kw)


def current(cls: type[C], prefix: str) -> C:
    """The Config as the widgets (and locked values) say now, validated; settings that do not apply reset."""
    locked = st.session_state.get(_key(prefix, "__locked"), {})
    values = {}
    for s in cfgmod.specs(cls):
        key = _key(prefix, s.name)
        values[s.name] = locked.get(s.name, st.session_state.get(key, s.default))
    cfg, _ = cfgmod.validate(cls(**values))
    return cfgmod.without_inapplicable(cfg)


def _sync_url(cfg: Any, prefix: str) -> None:
    params: dict[str, Any] = cfgmod.to_query(cfg)
    params.update(_comparison_link(type(cfg)))
    locked = st.session_state.get(_key(prefix, "__locked"), {})
    if locked:
        params[cfgmod.LOCK_KEY] = ",".join(sorted(locked))
        params.setdefault(cfgmod.VERSION_KEY, str(cfgmod.SCHEMA_VERSION))
    if _signature(params) != _signature(_url_params()):
        st.query_params.from_dict(params)
    st.session_state[_key(prefix, "__url")] = _signature(params)


def settings(
    cls: type[C],
    prefix: str,
    *,
    container: Any = None,
    groups: Iterable[tuple[str, Iterable[str]]] | None = None,
) -> C:
    """Training controls in the sidebar, restored from and written back to the URL.

    Display-only ('view') fields are left to :func:`view_controls`, so moving them can rerun a
    fragment instead of the page. ``groups`` optionally titles runs of fields.
    """
    _load_from_url(cls, prefix)
    _keep_unshown_settings(cls, prefix)
    for note in st.session_state.get(_key(prefix, "__notes"), []):
        st.warning(note, icon=":material/link:")
    locked = st.session_state.get(_key(prefix, "__locked"), {})
    box = container if container is not None else st.sidebar
    now = current(cls, prefix)
    train_specs = [
        s for s in cfgmod.specs(cls) if s.role == "train" and s.name not in locked and s.applies_to(now)
    ]
    with box:
        if groups is None:
            for s in train_specs:
                _widget(s, _key(prefix, s.name))
        else:
            by_name = {s.name: s for s in train_specs}
            for title, names in groups:
                present = [by_name[n] for n in names if n in by_name]
                if present:
                    st.caption(title)
                    for s in present:
                        _widget(s, _key(prefix, s.name))
        if locked:
            fixed = ", ".join(f"{cfgmod.spec_of(cls, n).label} = {v}" for n, v in sorted(locked.items()))
            st.info(f"Fixed by this link: {fixed}.", icon=":material/lock:")
    cfg = current(cls, prefix)
    _sync_url(cfg, prefix)
    return cfg


def view_controls(
    exp: Experiment[C, Any],
    names: Iterable[str],
    *,
    limits: dict[str, int] | None = None,
) -> C:
    """Display-only widgets (time scrubber, layer picker); call inside an st.fragment.

    ``limits`` caps a field's maximum at what the current result has (e.g. its length).
    """
    cls, prefix = exp.config, exp.name
    locked = st.session_state.get(_key(prefix, "__locked"), {})
    now = current(cls, prefix)
    for name in names:
        spec = cfgmod.spec_of(cls, name)
        if name in locked or not spec.applies_to(now):
            continue
        key = _key(prefix, name)
        if limits and name in limits:
            top = max(int(spec.min), limits[name])
            st.session_state[key] = min(int(st.session_state.get(key, spec.default)), top)
            if top == spec.min:
                continue
            st.slider(spec.label, int(spec.min), top, key=key, help=spec.help)
        else:
            _widget(spec, key)
    cfg = current(cls, prefix)
    _sync_url(cfg, prefix)
    return cfg


def share_link() -> None:
    """The full link that reproduces this view (with any classroom lock), ready to copy.

    Call after :func:`settings`, which has written the settings to the page's address.
    """
    with st.sidebar.popover("Share this view", icon=":material/share:", width="stretch"):
        st.caption("This link restores every setting, and so the same trained model and pictures.")
        st.code(_page_link(), language=None, wrap_lines=True)


def _page_link() -> str:
    base = st.context.url.split("?")[0] if st.context.url else ""
    query = urlencode(_url_params(), doseq=True)
    return base + ("?" + query if query else "")


def downloads(exp: Experiment[C, R], cfg: C, res: R) -> None:
    """The Download menu: the view as a standalone HTML page, each figure as SVG, its data, weights and
    reproduce.py, zipped.

    Built from the cached result only when clicked (deferred: ``data`` is a function), so it never trains
    and never slows the page; drawing the SVGs, which starts Chromium, happens then too.
    """
    link = _page_link()

    def build() -> bytes:
        return export.zip_bytes(exp.bundle(cfg, res, link), f"rnnviz-{exp.name}")

    with st.sidebar.popover("Download", icon=":material/download:", width="stretch"):
        st.caption(
            "A zip with this view as an HTML page that opens offline, each figure as SVG (for papers and "
            "slides), the figures' data as CSV, the trained weights (safetensors) and reproduce.py, which "
            "rebuilds the model and recomputes one number. Drawing the SVGs takes a few seconds."
        )
        zip_button("Download this view (.zip)", build, f"rnnviz-{exp.name}", key=f"download.{exp.name}")


def zip_button(label: str, build: Callable[[], bytes], name: str, key: str, help: str | None = None) -> None:
    """A button that downloads ``name``.zip, built by ``build`` only when clicked (a zip of every figure as
    SVG takes seconds: a page visit must not pay for it)."""
    st.download_button(
        label,
        data=build,
        file_name=f"{name}.zip",
        mime="application/zip",
        on_click="ignore",
        icon=":material/folder_zip:",
        key=key,
        help=help,
    )


def cached(exp: Experiment[C, R], cfg: C, **extra: Any) -> R | None:
    """The result for ``cfg`` if it has been trained already (by anyone), else None; never trains.

    Lets a page show related results side by side, e.g. a table over lengths filled in as they are trained.
    """
    return RESULTS.get(result_key(exp, cfg, extra))


def page(
    exp: Experiment[C, R],
    *,
    intro: str,
    groups: Iterable[tuple[str, Iterable[str]]] | None = None,
    before_run: Callable[[C], Mapping[str, Any] | None] | None = None,
    click_to_train: str | Callable[[C], str | None] | None = None,
) -> tuple[C, R]:
    """The top of every view's page: title, intro, settings, share link, the run, downloads, notes and the
    Compare settings panel.

    ``before_run(cfg)`` draws what the reader sees before the run (a lead, an upload, what needs no
    training) and returns what the run reads besides its settings (the upload), if anything. With
    ``click_to_train`` (a sentence naming what training will take), an uncached result waits for a
    button press, so that opening a page stays fast and costly training happens only when asked for; a
    function of the settings may ask for some settings only.
    """
    assistive()
    st.title(exp.title)
    st.caption(intro)
    cfg = settings(exp.config, exp.name, groups=groups)
    share_link()
    extra = dict((before_run(cfg) if before_run is not None else None) or {})
    ask = click_to_train(cfg) if callable(click_to_train) else click_to_train
    res = run(exp, cfg, click_to_train=ask, **extra)
    downloads(exp, cfg, res)
    for note in res.notes:
        st.info(safe_text(note), icon=":material/info:")
    message = res.history.message()
    if message:
        (st.error if res.history.stop == "diverged" else st.warning)(message)
    compare_panel(exp, cfg, **extra)
    return cfg, res


def run(exp: Experiment[C, R], cfg: C, *, click_to_train: str | None = None, **extra: Any) -> R:
    """The experiment's result for ``cfg``: from cache, or trained live in the queue.

    Live training waits for a free slot (showing its queue position), then shows a progress bar, the
    loss curve as it falls and the view's main figure redrawn from each new snapshot.
    """
    hit = cached(exp, cfg, **extra)
    if hit is None:
        hit = _cut_short_here(exp, cfg, extra)
    if hit is not None:
        return hit
    if click_to_train is not None:
        ask = st.empty()
        with ask.container():
            st.info(click_to_train, icon=":material/model_training:")
            if not st.button("Train", type="primary", icon=":material/play_arrow:", key=f"train.{exp.name}"):
                st.stop()
        ask.empty()
    return _train_live(exp, cfg, extra, exp.live(cfg))


def _cut_short_here(exp: Experiment[C, R], cfg: C, extra: dict[str, Any]) -> R | None:
    """The result the budget cut short for this visitor: never cached for others (its full run may be),
    but kept for this session, so that moving a display control does not train it again."""
    kept = st.session_state.get(_key(exp.name, "__cut"))
    return kept[1] if kept is not None and kept[0] == result_key(exp, cfg, extra) else None


def _train_live(exp: Experiment[C, R], cfg: C, extra: dict[str, Any], live: LiveFigure | None) -> R:
    started = time.monotonic()
    with st.status(f"Running: {exp.title}", expanded=True) as status:
        waiting = st.empty()
        bar = st.progress(0.0, text="Starting")
        chart = st.empty()
        main = st.empty()
        # Seconds spent drawing the main figure, and when each live figure was last drawn.
        drawn = {"seconds": 0.0, "loss": -LIVE_REDRAW_S, "main": -LIVE_REDRAW_S}
        redraws = itertools.count()  # two equal figures in one run would get the same auto-generated id
        note = st.empty()

        def on_wait(position: int) -> None:
            waiting.info(wait_message(position), icon=":material/hourglass_top:")

        def on_progress(p: Progress) -> None:
            waiting.empty()
            text = p.line()
            bar.progress(p.fraction, text=text)
            if p.note:
                note.code(p.note, language=None, wrap_lines=True)
            # Each live figure is redrawn at most every LIVE_REDRAW_S, and the main one in at most
            # LIVE_DRAW_SHARE of the time so far: frames are skipped, never queued; the last ones are always
            # drawn, so the box ends on the trained model.
            now = time.monotonic()
            final = p.step >= p.total
            if len(p.history.loss) > 1 and (final or now - drawn["loss"] >= LIVE_REDRAW_S):
                drawn["loss"] = now
                live_chart(
                    chart, live_loss_curve(p.history, 220, p.stage), f"live_loss.{next(redraws)}", text
                )
            affordable = drawn["seconds"] <= LIVE_DRAW_SHARE * (now - started)
            if (
                live is not None
                and p.new_frame
                and (final or affordable and now - drawn["main"] >= LIVE_REDRAW_S)
            ):
                tic = time.monotonic()
                drawn["main"] = tic
                live_chart(main, live(p.history), f"live_main.{next(redraws)}", text)
                drawn["seconds"] += time.monotonic() - tic

        res = result(exp, cfg, get, on_progress=on_progress, on_wait=on_wait, **extra)
        if not complete(res):
            st.session_state[_key(exp.name, "__cut")] = (result_key(exp, cfg, extra), res)
        waiting.empty()
        status.update(
            label=f"Finished in {time.monotonic() - started:.1f} s", state="complete", expanded=False
        )
    return res


def upload(
    exp: Experiment[Any, Any],
    label: str,
    *,
    types: list[str],
    parse: Callable[[bytes, str], T],
    help: str,
    container: Any = None,
) -> T | None:
    """One file upload, parsed once per file and kept in the session; None when there is none or it is unusable.

    ``parse(raw, name)`` raises ValueError with a reader's message for a file it cannot use: the page
    shows that message, never a traceback. Nothing uploaded is unpickled or executed.
    """
    box = container if container is not None else st
    key = _key(exp.name, "upload")
    file = box.file_uploader(f"{label} (up to {MAX_UPLOAD_MB} MB)", type=types, key=key, help=help)
    if file is None:
        return None
    parsed = st.session_state.get(f"{key}.parsed")
    if parsed is None or parsed[0] != file.file_id:
        try:
            parsed = (file.file_id, parse(file.getvalue(), file.name), None)
        except ValueError as err:
            parsed = (file.file_id, None, str(err))
        st.session_state[f"{key}.parsed"] = parsed
    if parsed[2] is not None:
        box.error(safe_text(f"{file.name}: {parsed[2]}"), icon=":material/upload_file:")
    return parsed[1]


_MARKDOWN_SPECIAL = {ch: f"&#{ord(ch)};" for ch in "*_`$[]~\\#|"}


def safe_text(text: str) -> str:
    """Escape user text for markdown: shown as typed, never as markup, links, maths or HTML."""
    return html.escape(text, quote=False).translate(str.maketrans(_MARKDOWN_SPECIAL))


def inline_code(text: str) -> str:
    """User text as a markdown code span: literal inside, with a fence longer than any backtick run in it."""
    run, best = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        best = max(best, run)
    fence = "`" * (best + 1)
    return f"{fence} {text.replace(chr(10), ' ')} {fence}"


def section(names: Sequence[str], key: str) -> str:
    """Long pages in parts the reader picks: only the chosen part is built and sent to the browser."""
    chosen = st.segmented_control(
        "Show", list(names), default=names[0], key=key, label_visibility="collapsed", width="stretch"
    )
    return chosen if chosen in names else names[0]


def explain(title: str, body: Callable[[], None], expanded: bool = False) -> None:
    with st.expander(title, expanded=expanded, icon=":material/school:"):
        body()


SR_ONLY = (
    "position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
    "clip:rect(0,0,0,0);white-space:nowrap;border:0"
)
"""Inline style of text meant for screen readers only: in the page's reading order, drawn nowhere."""
FIGURE_LABEL = "Figure: "
"""How a figure's text alternative begins, so a screen reader announces what follows as a figure."""
LIVE_FIGURE_LABEL = "Figure while training: "
"""How the text alternative of a figure drawn while training begins."""
DATA_LABEL = "Data"
DATA_HELP = "Show the numbers this figure draws as a table, for a screen reader or a closer look."


def plotly_config(title: str, *, toolbar: bool = True) -> dict[str, Any]:
    """Plotly's toolbar for one figure: its camera button saves an SVG (vector, for papers and slides)
    named after the figure's title; the page's script adds a PNG button beside it."""
    return {
        "displaylogo": False,
        "displayModeBar": "hover" if toolbar else False,
        "toImageButtonOptions": {"format": "svg", "filename": file_stem(title)},
    }


def _say(text: str) -> None:
    """A sentence for screen readers only, at this point of the page."""
    st.markdown(f'<p style="{SR_ONLY}">{safe_text(text)}</p>', unsafe_allow_html=True)


class _Encoded(go.Figure):
    """A figure whose Plotly dict was made once. ``st.plotly_chart`` asks a figure for ``to_dict()`` on
    every visit: a deep copy with every array encoded anew, a third of a visit's server time on a page of
    cached figures. An empty figure answering with the dict made when the figure was first shown sends the
    same bytes for nothing. That dict is read back from the figure's own JSON, plain lists, strings and
    numbers, so Plotly's orjson encoder takes it whole instead of walking every value in Python first."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec


_ENCODED: dict[int, _Encoded] = {}
"""Encoded figures by the identity of the figure they encode, each dropped when that figure goes: a
memoised figure (``rnnviz.core.memo``) lives as long as its result is cached and is never changed."""


def _encoded(fig: go.Figure) -> _Encoded:
    encoded = _ENCODED.get(id(fig))
    if encoded is None:
        encoded = _ENCODED[id(fig)] = _Encoded(json.loads(pio.to_json(fig, validate=False)))
        weakref.finalize(fig, _ENCODED.pop, id(fig), None)
    return encoded


def chart(fig: go.Figure, *, container: Any = None, key: str | None = None, toolbar: bool = True) -> None:
    """A Plotly figure that can be read without seeing it.

    Before it, a sentence for screen readers: the figure's title, which states this run's finding; under
    it, a "Data" toggle that shows the numbers it draws as tables. Its toolbar saves it as SVG or PNG,
    named by its title. ``key`` tells two figures with the same title apart; ``toolbar=False`` hides
    Plotly's toolbar (a diagram whose zoom would only confuse).
    """
    box = container if container is not None else st
    alt = text_alternative(fig)
    name = key or f"figure.{zlib.crc32(alt.encode())}"
    with box.container():
        _say(FIGURE_LABEL + alt)
        st.plotly_chart(_encoded(fig), config=plotly_config(alt, toolbar=toolbar))
        if st.toggle(DATA_LABEL, key=f"{name}.data", help=DATA_HELP):
            tables = figure_tables(fig)
            for title, table in tables.items():
                if len(tables) > 1:
                    st.caption(safe_text(title))
                st.dataframe(table, hide_index=table.index.dtype.kind == "i")
            if not tables:
                st.caption("This figure draws no numbers and no words beyond its title.")


def live_chart(slot: Any, fig: go.Figure, key: str, progress: str) -> None:
    """A figure redrawn while training runs. Its text alternative is its title and the progress bar's
    sentence (step and loss so far); it has no data toggle: a widget in a slot redrawn every few steps
    would be a new one each time, and the finished page draws the same numbers with theirs."""
    alt = text_alternative(fig)
    with slot.container():
        _say(f"{LIVE_FIGURE_LABEL}{alt} {progress}.")
        st.plotly_chart(fig, key=key, config=plotly_config(alt))


_COMPARE_KEYS = (compare.LINK_COMPARE, compare.LINK_MATCH, compare.LINK_SEEDS)
_SEEDS_ONLY = ""


def _comparison_link(cls: type) -> dict[str, list[str]]:
    """The link's comparison keys (none of them a setting of this page): kept when the settings rewrite it."""
    names = {s.name for s in cfgmod.specs(cls)}
    url = _url_params()
    return {k: url[k] for k in _COMPARE_KEYS if k in url and k not in names}


def _load_comparison(exp: Experiment[C, Any], cfg: C, prefix: str) -> None:
    """Push the link's comparison into the panel's widgets, once per distinct link (first visit, pasted link)."""
    link = _comparison_link(exp.config)
    sig = _signature(link)
    if st.session_state.get(f"{prefix}.url") == sig:
        return
    last = {k: v[-1] if v else "" for k, v in link.items()}
    request, notes = compare.parse_request(
        exp,
        cfg,
        last.get(compare.LINK_COMPARE),
        last.get(compare.LINK_SEEDS),
        last.get(compare.LINK_MATCH),
    )
    setting = request.setting or _SEEDS_ONLY
    st.session_state[f"{prefix}.setting"] = setting
    if request.setting is not None:
        spec = cfgmod.spec_of(exp.config, request.setting)
        st.session_state[f"{prefix}.values.{setting}"] = (
            list(request.values)
            if spec.choices is not None
            else ", ".join(cfgmod.format_value(spec, v) for v in request.values)
        )
    st.session_state[f"{prefix}.seeds"] = request.seeds
    st.session_state[f"{prefix}.match"] = request.match_params
    st.session_state[f"{prefix}.notes"] = notes
    st.session_state[f"{prefix}.url"] = sig


def _write_comparison(exp: Experiment[Any, Any], request: compare.Request, prefix: str) -> None:
    """The panel's request into the page's link, beside the settings."""
    wanted = request.link(exp)
    sig = _signature({k: [v] for k, v in wanted.items()})
    if st.session_state.get(f"{prefix}.url") != sig:
        st.session_state[f"{prefix}.notes"] = []  # they were about the link the reader has now changed
    for key in _COMPARE_KEYS:
        if key in wanted:
            if st.query_params.get_all(key) != [wanted[key]]:
                st.query_params[key] = wanted[key]
        elif key in _comparison_link(exp.config):
            del st.query_params[key]
    st.session_state[f"{prefix}.url"] = sig


def _compare_widgets(exp: Experiment[C, Any], cfg: C, prefix: str) -> tuple[str | None, Any, str | None]:
    """Setting, values, seeds and matching as the panel's widgets say: raw, for compare.parse_request."""
    specs = {s.name: s for s in compare.comparable(exp, cfg)}
    if st.session_state.get(f"{prefix}.setting") not in (_SEEDS_ONLY, *specs):
        st.session_state[f"{prefix}.setting"] = _SEEDS_ONLY
    name = st.selectbox(
        "Setting to compare",
        [_SEEDS_ONLY, *specs],
        format_func=lambda n: specs[n].label if n in specs else "None: one variant over several seeds",
        key=f"{prefix}.setting",
        help=f"Each variant differs from the settings above in this one setting; {compare.MIN_VARIANTS} to "
        f"{compare.MAX_VARIANTS} values.",
    )
    text = None
    if name in specs:
        spec, key = specs[name], f"{prefix}.values.{name}"
        if spec.choices is not None:
            kept = [v for v in st.session_state.get(key, []) if v in spec.choices]
            st.session_state[key] = kept or list(spec.choices[: compare.MIN_VARIANTS])
            chosen = st.multiselect(
                "Values",
                spec.choices,
                format_func=spec.option_label,
                max_selections=compare.MAX_VARIANTS,
                key=key,
            )
            text = ",".join(cfgmod.format_value(spec, v) for v in chosen)
        elif spec.kind is bool:
            text = "false,true"
            st.caption(f"{spec.label}: off and on.")
        else:
            if not isinstance(st.session_state.get(key), str):
                st.session_state[key] = cfgmod.format_value(spec, getattr(cfg, name))
            text = st.text_input(f"Values ({spec.describe()}), separated by commas", key=key, max_chars=200)
        text = f"{name}{compare.SETTING_SEPARATORS[0]}{text}"
    seeds_key = f"{prefix}.seeds"
    if not isinstance(st.session_state.get(seeds_key), int):
        st.session_state[seeds_key] = 1
    seeds = st.number_input(
        "Seeds per variant",
        min_value=1,
        max_value=compare.MAX_SEEDS,
        step=1,
        key=seeds_key,
        help="Each variant trained with this many seeds, from the page's seed on: how much of a difference "
        "is luck of the seed. Two or more give a 95% interval.",
    )
    matchable = compare.can_match(exp, cfg, name or None)
    match = st.toggle(
        "Match parameters",
        key=f"{prefix}.match",
        disabled=not matchable,
        help=f"Pick each variant's hidden size so its trainable parameters are within "
        f"{compare.PARAMS_TOLERANCE:.0%} of the first variant's: a bigger network wins for its size alone.",
    )
    return text, seeds, compare.MATCH_PARAMS if match and matchable else None


def compare_panel(exp: Experiment[C, Any], cfg: C, **extra: Any) -> None:
    """Compare settings: 2-4 values of one setting and/or several seeds, each an ordinary run of this view
    (same cache, queue and budget, and the page's ``extra`` inputs such as an upload), ranked by the headline
    metric with a verdict that names a winner only beyond seed noise. Its state is part of the link
    (``compare=cell:rnn,lstm&match=params&seeds=3``)."""
    if not compare.comparable(exp, cfg):
        return
    prefix = f"{exp.name}.compare"
    _load_comparison(exp, cfg, prefix)
    linked = bool(_comparison_link(exp.config))
    with st.expander("Compare settings", expanded=linked, icon=":material/compare_arrows:"):
        for note in st.session_state.get(f"{prefix}.notes", []):
            st.warning(safe_text(note), icon=":material/link:")
        text, seeds, match = _compare_widgets(exp, cfg, prefix)
        request, notes = compare.parse_request(exp, cfg, text, seeds, match)
        _write_comparison(exp, request, prefix)
        for note in notes:
            st.caption(safe_text(note))
        if request.empty:
            st.caption(
                f"Pick a setting and {compare.MIN_VARIANTS} to {compare.MAX_VARIANTS} values, or two or more "
                f"seeds. At most {compare.MAX_RUNS} trainings per comparison."
            )
            return
        _comparison(exp, compare.plan(exp, cfg, request), prefix, extra)


def _comparison(exp: Experiment[Any, Any], plan: compare.Plan, prefix: str, extra: dict[str, Any]) -> None:
    """The plan, its runs (trained on request unless all are cached) and what they show."""
    for note in plan.notes:
        st.info(safe_text(note), icon=":material/balance:")
    names = [compare.name_of(exp, v.settings) for v in plan.variants]
    counted = [f"{n}: {v.params:,} parameters" for n, v in zip(names, plan.variants, strict=True) if v.params]
    if counted:
        st.caption("; ".join(counted) + ".")
    keys = tuple(result_key(exp, c, extra) for _, _, c in plan.runs)
    kept = st.session_state.get(f"{prefix}.done")
    done = kept[1] if kept is not None and kept[0] == keys else None
    if done is None:
        found = {(v, s): cached(exp, c, **extra) for v, s, c in plan.runs}
        if all(r is not None for r in found.values()):
            done = compare.summarise(plan, found)
            st.session_state[f"{prefix}.done"] = (keys, done)  # its figures are built once per comparison
    if done is None:
        runs = len(plan.runs)
        st.info(
            f"{runs} trainings, one after another in this server's queue.", icon=":material/model_training:"
        )
        if not st.button("Train the comparison", icon=":material/play_arrow:", key=f"{prefix}.train"):
            return
        done = _train_comparison(exp, plan, names, extra)
        st.session_state[f"{prefix}.done"] = (keys, done)
    chart(compare_figures.metric_points(done), key=f"{prefix}.metric")
    st.markdown(f"**{safe_text(done.verdict.text)}**")
    chart(compare_figures.loss_bands(done), key=f"{prefix}.loss")
    chart(compare_figures.films(done), key=f"{prefix}.films")
    _comparison_download(exp, done, prefix)


def _comparison_download(exp: Experiment[Any, Any], done: compare.Comparison, prefix: str) -> None:
    """The comparison as a zip: its page, comparison.json and every run's data (built only when clicked)."""
    link = _page_link()
    base = link.split("?")[0].rsplit("/", 1)[0]

    def build() -> bytes:
        files = compare_figures.bundle(done, link, lambda c: cfgmod.page_url(base, exp.name, c))
        return export.zip_bytes(files, f"rnnviz-{exp.name}-comparison")

    zip_button(
        "Download this comparison (.zip)",
        build,
        f"rnnviz-{exp.name}-comparison",
        key=f"{prefix}.download",
        help="One HTML page with these figures and the verdict, comparison.json with every variant's metric "
        "over seeds, and each run's data (CSV), settings, weights and reproduce.py.",
    )


def _train_comparison(
    exp: Experiment[Any, Any], plan: compare.Plan, names: list[str], extra: dict[str, Any]
) -> compare.Comparison:
    """Every run in turn, a row each saying queued, training (with its live loss) or done (with its metric)."""
    started = time.monotonic()
    with st.status(f"Comparing {len(plan.variants)} variant(s)", expanded=True) as status:
        waiting = st.empty()
        rows = {(v, s): st.empty() for v, s, _ in plan.runs}
        configs = {(v, s): c for v, s, c in plan.runs}

        def label(v: int, s: int) -> str:
            return f"{names[v]}, seed {configs[v, s].seed}"

        def on_status(v: int, s: int, state: str, value: float | None) -> None:
            shown = f", {exp.metric.label}: {value:.4g}" if value is not None else ""
            rows[v, s].markdown(safe_text(f"{label(v, s)}: {state}{shown}"))
            waiting.empty()

        def on_progress(v: int, s: int) -> Callable[[Progress], None]:
            def report(p: Progress) -> None:
                rows[v, s].markdown(
                    safe_text(
                        f"{label(v, s)}: training, step {p.run_step} of {p.run_steps}, loss {p.train_loss:.4g}"
                    )
                )

            return report

        def on_wait(position: int) -> None:
            waiting.info(wait_message(position), icon=":material/hourglass_top:")

        done = compare.run_plan(
            plan, get, on_status=on_status, on_progress=on_progress, on_wait=on_wait, **extra
        )
        status.update(
            label=f"Compared in {time.monotonic() - started:.1f} s", state="complete", expanded=False
        )
    return done
