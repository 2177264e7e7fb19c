"""Numbers as a reader sees them: in captions, in LaTeX and in JSON. One formatter per purpose."""

from __future__ import annotations

import math
from typing import Any


def sentence_case(text: str) -> str:
    """Capitalise a sentence that starts with a word, never one that starts with code (``output[:, -1]``)."""
    word = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if word.replace("-", "").replace("'", "").isalpha() else text


def sci(x: float) -> str:
    """A number as text for metrics and captions; 1e-30 stays 1e-30, never 0."""
    return f"{x:.3g}" if math.isfinite(x) else "not finite"


def tex_number(x: float, digits: int = 3) -> str:
    r"""A number for st.latex, with a proper power of ten: 3 \times 10^{-3} rather than 3e-03."""
    if math.isnan(x):
        return r"\text{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = f"{x:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def percent(share: float) -> str:
    """99%, 4.7%, 0.047%: whole percents near chance, two significant digits for the small losses."""
    if not math.isfinite(share):
        return "not finite"
    return f"{100 * share:.0f}%" if share >= 0.1 else f"{100 * share:.2g}%"


def jsonable(obj: Any) -> Any:
    """Plain JSON: numpy to lists, floats rounded to 7 significant digits, NaN and inf to null."""
    if hasattr(obj, "tolist"):
        obj = obj.tolist()
    if isinstance(obj, float):
        return float(f"{obj:.7g}") if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj
