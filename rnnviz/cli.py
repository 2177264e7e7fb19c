"""``python -m rnnviz EXPERIMENT [flags] [--json]``: every experiment, from the same Config as the pages;
``rnnviz serve``: the web app."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from rnnviz.core import compare, compare_figures, export
from rnnviz.core import config as cfgmod
from rnnviz.core.experiment import Experiment
from rnnviz.core.fmt import jsonable
from rnnviz.core.runtime import configure_torch, result
from rnnviz.views import experiments, get


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnnviz",
        description="Train small recurrent networks and look inside them.",
    )
    sub = parser.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)
    serve = sub.add_parser(SERVE, help="start the web app, pre-warming its defaults from the first second")
    serve.add_argument("options", nargs=argparse.REMAINDER, help="passed to `streamlit run`")
    for exp in experiments().values():
        p = sub.add_parser(exp.name, help=exp.title, description=exp.description)
        for s in cfgmod.specs(exp.config):
            default = cfgmod.format_value(s, s.default)
            text = f"{s.help} ({s.describe()}; default {default!r})".replace("%", "%%")
            if s.kind is bool:
                p.add_argument(
                    cfgmod.flag(s.name),
                    action=argparse.BooleanOptionalAction,
                    default=None,
                    help=text,
                )
            elif s.choices is not None and s.kind is str:
                # Checked by cfgmod.read_given, as a Python keyword is, so both say the same when it is wrong.
                choices = "{" + ",".join(s.choices) + "}"
                p.add_argument(cfgmod.flag(s.name), metavar=choices, default=None, help=text)
            else:
                p.add_argument(
                    cfgmod.flag(s.name),
                    default=None,
                    metavar=s.kind.__name__.upper(),
                    help=text,
                )
        if exp.add_arguments is not None:
            exp.add_arguments(p)
        p.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object with config and metrics",
        )
        p.add_argument(
            "--export",
            metavar="DIR",
            default=None,
            help="write the view's HTML page, data (CSV), weights (safetensors) and reproduce.py to DIR; "
            "with --compare or --seeds, the comparison's page and every run's data",
        )
        add_comparison_arguments(p, exp)
    return parser


COMPARISON_DESTS = ("compare_request", "match_params", "seeds")
"""Where the comparison options land, apart from the Config's settings."""


def add_comparison_arguments(p: argparse.ArgumentParser, exp: Experiment) -> None:
    p.add_argument(
        cfgmod.flag(compare.LINK_COMPARE),
        dest="compare_request",
        metavar="SETTING=V1,V2",
        default=None,
        help=f"train {compare.MIN_VARIANTS} to {compare.MAX_VARIANTS} variants that differ in one setting "
        f"(e.g. cell=rnn,lstm) and print each one's {exp.metric.name} with a verdict",
    )
    p.add_argument(
        "--match-params",
        action="store_true",
        help="with --compare: pick each variant's hidden size so its parameter count is within "
        f"{compare.PARAMS_TOLERANCE:.0%} of the first variant's".replace("%", "%%"),
    )
    p.add_argument(
        "--seeds",
        metavar="N",
        default=None,
        help=f"train each variant with N seeds (1 to {compare.MAX_SEEDS}) from --seed on: a spread with a "
        f"95%% interval; at most {compare.MAX_RUNS} trainings in all",
    )


def run_comparison(
    exp: Experiment, cfg: Any, args: argparse.Namespace, parser: argparse.ArgumentParser, extra: dict
) -> int:
    """``--compare``/``--seeds``: every variant an ordinary run; prints the variants and the verdict, and
    with ``--export`` writes the comparison's page and every run's data."""
    request, notes = compare.parse_request(
        exp, cfg, args.compare_request, args.seeds, compare.MATCH_PARAMS if args.match_params else None
    )
    if args.compare_request and request.setting is None:
        parser.error("; ".join(notes))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    try:
        comparison = compare.compare(exp, cfg, request, get, full_run_later=False, **extra)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = comparison.json()
    for note in out["notes"]:
        print(f"note: {note}", file=sys.stderr)
    if args.export:
        files = compare_figures.bundle(
            comparison, comparison_url(exp, cfg, request), lambda c: share_url(exp, c)
        )
        print(f"wrote {len(files)} files to {export.write(files, args.export)}", file=sys.stderr)
    if args.json:
        out = {"experiment": exp.name, "config": cfgmod.as_dict(cfg), **out}
        json.dump(jsonable(out), sys.stdout, ensure_ascii=False, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        for v in out["variants"]:
            m = v["metric"]
            print(
                f"{v['settings']} params={v['params']} {m['name']}: mean {m['mean']} ({m['low']} to {m['high']})"
            )
        print(out["verdict"]["text"])
    return 0


def resolve_config(exp: Experiment, args: argparse.Namespace, parser: argparse.ArgumentParser) -> Any:
    """Numbers out of range are clamped with a note on stderr; values that cannot be used are errors."""
    given = {s.name: getattr(args, s.name) for s in cfgmod.specs(exp.config)}
    try:
        cfg, notes = cfgmod.from_given(exp.config, {k: v for k, v in given.items() if v is not None})
    except ValueError as err:
        parser.error(str(err))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return exp.prepare(cfg)


APP_URL = os.environ.get("RNNVIZ_URL", "http://localhost:8501")
"""Where the app is served: the base of share links written by the command line."""


def share_url(exp: Experiment, cfg: Any) -> str:
    return cfgmod.page_url(APP_URL, exp.name, cfg)


def comparison_url(exp: Experiment, cfg: Any, request: compare.Request) -> str:
    """The link that opens the page with these settings and this comparison in its Compare panel."""
    url = share_url(exp, cfg)
    keys = urlencode(request.link(exp))
    return url + ("&" if "?" in url else "?") + keys if keys else url


SERVE = "serve"
ROOT = Path(__file__).resolve().parent.parent


def serve(options: Sequence[str]) -> int:
    """Replace this process with the app server (deploy/serve.py), which needs the project's source tree."""
    if not (ROOT / "deploy" / "serve.py").exists():
        print(
            f"error: {SERVE} runs the app from the project's source tree, not found at {ROOT}",
            file=sys.stderr,
        )
        return 2
    os.chdir(ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "deploy.serve", *options])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [SERVE]:
        return serve(argv[1:])
    configure_torch()
    parser = build_parser()
    args = parser.parse_args(argv)
    exp = experiments()[args.experiment]
    cfg = resolve_config(exp, args, parser)
    extra = {}
    if exp.add_arguments is not None:
        names = {s.name for s in cfgmod.specs(exp.config)} | {
            "experiment",
            "json",
            "export",
            *COMPARISON_DESTS,
        }
        extra = {k: v for k, v in vars(args).items() if k not in names}
    if args.compare_request or args.seeds is not None or args.match_params:
        return run_comparison(exp, cfg, args, parser, extra)
    try:
        res = result(exp, cfg, get, full_run_later=False, **extra)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    report = exp.full_report(cfg, res)
    if args.export:
        files = exp.bundle(cfg, res, share_url(exp, cfg))
        print(f"wrote {len(files)} files to {export.write(files, args.export)}", file=sys.stderr)
    if args.json:
        out = {"experiment": exp.name, "config": cfgmod.as_dict(cfg), **report}
        json.dump(jsonable(out), sys.stdout, ensure_ascii=False, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        for key, value in jsonable(report.get("metrics", {})).items():
            print(f"{key}: {value}")
    return 0


def entry() -> None:
    """The ``rnnviz`` console script; a closed pipe (``rnnviz ... --json | head``) ends quietly."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at devnull so that flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
