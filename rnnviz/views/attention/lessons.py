"""What the page says: findings and captions written from the result, and the prose around them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rnnviz.core.budget import training_budget_s
from rnnviz.core.claims import Claim, claim, comparison, paired_accuracy, paired_bootstrap
from rnnviz.core.dates import EXAMPLE as DATE_EXAMPLE
from rnnviz.core.dates import MAX_CHARS as DATE_CHARS
from rnnviz.core.fmt import percent
from rnnviz.views.attention.answers import Answer, held_out_example, month_focus, on_rule_share
from rnnviz.views.attention.cost import LENGTHS as COST_LENGTHS
from rnnviz.views.attention.cost import CostRow
from rnnviz.views.attention.result import MODEL_NAMES, AttentionResult
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.tasks import BATCH, TASKS

INTRO = (
    "An encoder reads the input one token at a time; a decoder writes the answer. Without attention the "
    "decoder starts from the encoder's last state and sees nothing else: the whole input must squeeze "
    "through one state of fixed size (an LSTM's output and cell vectors). With attention it looks back "
    "at every input step before writing each token. Both networks below have the same LSTMs, sizes, "
    "seed, batches and training steps."
)

ATTENTION_TEX = {
    "dot": (
        r"e_{t,i} = s_t^\top h_i \qquad \alpha_{t,i} = \frac{\exp e_{t,i}}{\sum_j \exp e_{t,j}} \qquad "
        r"c_t = \sum_i \alpha_{t,i} h_i \qquad \tilde s_t = \tanh(W_c [c_t; s_t] + b_c)"
    ),
    "additive": (
        r"e_{t,i} = v^\top \tanh(W_s s_t + W_h h_i + b) \qquad "
        r"\alpha_{t,i} = \frac{\exp e_{t,i}}{\sum_j \exp e_{t,j}} \qquad "
        r"c_t = \sum_i \alpha_{t,i} h_i \qquad \tilde s_t = \tanh(W_c [c_t; s_t] + b_c)"
    ),
}
EQUATION_NOTE = (
    "h_i: encoder state after input step i (the LSTM's output; its cell state is never attended to); "
    "s_t: decoder state at output step t (an LSTM step from s_{t-1}, the decoder's cell state and the "
    "previous token; the decoder starts from the encoder's last output and cell state); the next token "
    "is softmax(W_y s̃_t). The plain network has no c_t: "
    "s̃_t = tanh(W_c s_t + b_c). The scores come after the decoder's LSTM step (Luong's placement), so with "
    "teacher forcing one fused LSTM call and one batched product cover every output step."
)

WHEN_RNN = (
    "**When recurrence wins.** Streaming on a small device: each new token costs one step and the memory "
    "is one state, however long the stream has run. Small data: the recurrence builds in an order that "
    "attention must learn. Its cost grows linearly with T."
)
WHEN_ATTENTION = (
    "**When attention wins.** Training on long texts with parallel hardware: every position is computed "
    "at once, with one sequential step instead of T, and any token reaches any other in one hop instead of "
    "T. The price is the T × T matrix, quadratic in memory and work, and a cache that grows per token."
)
TEACHER_FORCING = (
    "During training the decoder reads the true previous token (teacher forcing), so all output steps are "
    "known in advance: the decoder's LSTM runs fused over the whole answer, and the attention of every "
    "step is one batched matrix product. Answering, it must read its own previous token (greedy "
    "decoding), one step at a time; one wrong token can send the rest astray. Every accuracy on this "
    "page is greedy decoding of held-out examples that neither network trained on."
)


def task_sentence(cfg: AttentionConfig) -> str:
    if cfg.task == "dates":
        return (
            "**Task: convert a date.** The input is a date in words, in one of three spellings; the answer "
            "is its ISO form, e.g. 'january 15, 2023' → '2023-01-15'."
        )
    rule = "backwards" if cfg.task == "reverse" else "in the same order"
    return (
        f"**Task: {TASKS[cfg.task].lower()}.** The input is {cfg.length} random digits; the answer "
        f"is the same digits {rule}. Each network trains on {BATCH} fresh strings per step."
    )


def train_prompt(cfg: AttentionConfig) -> str:
    """Asked before training; the budget is read now, as the training will read it."""
    return (
        f"Training both networks for {cfg.steps:,} steps takes up to {training_budget_s():g} s on this server, "
        "then a moment more to time an LSTM layer against a self-attention layer."
    )


def headline(res: AttentionResult) -> dict[str, str]:
    """The four numbers at the top: tokens and whole answers right, for both networks."""
    unit = "Characters" if res.task == "dates" else "Digits"
    out = {}
    for name in MODEL_NAMES:
        out[f"{unit} right, {name}"] = percent(res.scores[name].token_accuracy)
    for name in MODEL_NAMES:
        out[f"Whole answers right, {name}"] = percent(res.scores[name].exact)
    return out


def position_caption(res: AttentionResult) -> str:
    return (
        "Press Play, or drag the training step: the share of held-out examples whose token at each output "
        f"step is right, for both networks at each snapshot. After training: {percent(res.scores['plain'].position_accuracy[0])} "
        f"of first tokens and {percent(res.scores['plain'].position_accuracy[-1])} of last tokens right "
        "without attention."
    )


def alignment_caption(res: AttentionResult, example: Answer) -> str:
    shape = {"reverse": "an anti-diagonal", "copy": "a diagonal"}.get(res.task)
    where = (
        f" A trained network draws {shape} line: output step t reads input step "
        + ("T + 1 − t." if res.task == "reverse" else "t.")
        if shape
        else ""
    )
    return (
        "Each row is one output step, each column one input step, for a held-out example; a bright cell is "
        f"where the decoder looked to write that token (each row sums to 1).{where} Press Play to watch the "
        "alignment form during training. Hover names the tokens."
    )


def typed_finding(res: AttentionResult, answer: Answer) -> str:
    if res.task == "dates":
        return f"Your date: the month's digits take {percent(month_focus(answer))} of their weight from its letters"
    share = on_rule_share(answer.weights, res.task)
    return f"Your digits: {percent(share)} of output steps read the input step the rule names"


def sweep_table(rows: Sequence[dict]) -> list[dict[str, object]]:
    out = []
    for row in rows:
        entry: dict[str, object] = {"String length (digits)": row["length"]}
        for name in MODEL_NAMES:
            value = row[name]
            entry[f"{MODEL_NAMES[name]}: digits right"] = (
                "not trained yet" if value is None else percent(value)
            )
        out.append(entry)
    return out


def cost_table(rows: Sequence[CostRow]) -> list[dict[str, object]]:
    return [
        {
            "T (tokens)": r.length,
            "LSTM fwd+bwd (ms)": round(r.rnn_ms, 2),
            "attention fwd+bwd (ms)": round(r.attention_ms, 2),
            "sequential steps, LSTM": r.rnn_sequential,
            "sequential steps, attention": r.attention_sequential,
            "attention matrix (bytes)": r.attention_matrix_bytes,
            "LSTM state (bytes)": r.rnn_state_bytes,
            "new token, LSTM (µs)": round(r.rnn_token_us, 1),
            "new token, attention (µs)": round(r.attention_token_us, 1),
            "key-value cache (bytes)": r.kv_cache_bytes,
        }
        for r in rows
    ]


TREND_MARGIN = 0.05
"""How far apart two trained lengths' accuracies must be to call it a fall or a rise: about the noise
of two token accuracies over the held-out strings of two separate runs."""

ON_RULE = 0.5
"""Share of output steps whose largest weight must sit within one input step of where the rule points
to say attention reads there: most of them (by chance about 3 / length do)."""
MONTH_FOCUS = 0.5
"""Share of the month digits' weight that must fall on the month's letters to say the decoder looks there."""


def _unit(res: AttentionResult) -> str:
    return "characters" if res.task == "dates" else "digits"


def claims(cfg: AttentionConfig, res: AttentionResult) -> list[Claim]:
    """What this run shows, headline first: attention against the plain network, then why the plain one
    fails where it does, then where attention looks."""
    return [attention_vs_plain(res), bottleneck(res), where_attention_looks(res)]


def attention_vs_plain(res: AttentionResult) -> Claim:
    """Both networks answer the same held-out strings, so each string's share of tokens right is paired;
    the bootstrap resamples strings, not tokens, because the tokens of one answer are not independent."""
    per_string = {name: res.scores[name].right.mean(1) for name in MODEL_NAMES}
    return comparison(
        "attention_vs_plain",
        "the network with attention",
        "the plain encoder-decoder",
        paired_bootstrap(per_string["attention"], per_string["plain"]),
        better="higher",
        measure=f"the share of {_unit(res)} right per held-out string",
        fmt="{:.3f}",
        attention=res.scores["attention"].token_accuracy,
        plain=res.scores["plain"].token_accuracy,
        strings=len(per_string["plain"]),
    )


BOTTLENECK_FACT = {
    "copy": (
        "Copying, output step t writes the digit read at input step t, so every digit spends the same "
        "number of steps in a recurrent state (the rest of the input, then t decoder steps): distance "
        "alone favours neither end of the answer"
    ),
    "reverse": (
        "Reversing, output step t writes the digit read t steps before the end, so it has spent 2t − 1 "
        "steps in a recurrent state: the later the output step, the longer its digit had to survive"
    ),
    "dates": "Converting a date, every character of the answer is read off that one state",
}


def bottleneck(res: AttentionResult) -> Claim:
    """Whether the plain network's accuracy falls from the first output step to the last, on the same
    held-out strings (paired, McNemar's setting), with the mechanism that fits the task run.

    Which digit the first output step writes depends on the task: copying, the first one read;
    reversing, the last one. The sentence says which, and only the direction this run measured.
    """
    right = res.scores["plain"].right
    first, last = right[:, 0], right[:, -1]
    fall = paired_accuracy(first, last)
    ends = (
        f"{percent(first.mean())} of first tokens right and {percent(last.mean())} of last tokens "
        f"(difference {fall.estimate:.2f}, 95% interval {fall.low:.2f} to {fall.high:.2f})"
    )
    lead = f"The plain decoder starts from the encoder's last state and must write every token from it. {BOTTLENECK_FACT[res.task]}."
    close = " Attention gives each output step its own mix of all encoder states, so nothing has to survive the whole input."
    if fall.high < 0:
        otherwise = f"Here the accuracy rises along the answer: {ends}."
    else:
        otherwise = f"Here the first and last output steps tie within this run's noise: {ends}."
    return claim(
        "bottleneck",
        lambda e: e["low"] > 0,
        f"{lead} Here the accuracy falls along the answer: {ends}.{close}",
        f"{lead} {otherwise}{close}",
        first=first.mean(),
        last=last.mean(),
        **fall.json(),
    )


def where_attention_looks(res: AttentionResult) -> Claim:
    """Where the decoder with attention looks, against where the task says it should."""
    if res.task == "dates":
        focus = month_focus(held_out_example(res))
        return claim(
            "alignment",
            lambda e: e["month_focus"] > MONTH_FOCUS,
            f"To write the month's digits the decoder looks at the month's letters ({percent(focus)} of the weight)",
            f"To write the month's digits the decoder puts only {percent(focus)} of its weight on the month's letters",
            month_focus=focus,
        )
    share = on_rule_share(res.weights, res.task)
    where = "the mirrored input step" if res.task == "reverse" else "the input step it is writing"
    return claim(
        "alignment",
        lambda e: e["on_rule"] > ON_RULE,
        f"Attention reads {where}: {percent(share)} of output steps on the line",
        f"Attention does not follow the line: only {percent(share)} of output steps look within one step of {where}",
        on_rule=share,
    )


def length_trend(rows: Sequence[Mapping[str, float | None]]) -> Claim:
    """Whether the plain network's accuracy falls with string length, read from the lengths trained so
    far: it holds only when the longest is clearly below the shortest and no longer length is clearly
    better than the one before it."""
    trained = sorted((int(r["length"]), float(r["plain"])) for r in rows if r["plain"] is not None)
    (shortest, at_shortest), (longest, at_longest) = trained[0], trained[-1]
    accuracies = [a for _, a in trained]
    if len(trained) < 2:
        otherwise = f"Trained so far at {shortest} digits only: train other lengths to fill in the curve"
    else:
        otherwise = (
            f"Through the bottleneck accuracy does not fall steadily with length here: "
            f"{percent(at_shortest)} of digits right at {shortest}, {percent(at_longest)} at {longest}"
        )
    return claim(
        "falls_with_length",
        lambda e: (
            e["lengths_trained"] >= 2
            and e["plain_shortest"] - e["plain_longest"] > TREND_MARGIN
            and e["largest_rise"] <= TREND_MARGIN
        ),
        f"Through the bottleneck accuracy falls with length: {percent(at_shortest)} of digits right at "
        f"{shortest}, {percent(at_longest)} at {longest}",
        otherwise,
        lengths_trained=len(trained),
        shortest=shortest,
        longest=longest,
        plain_shortest=at_shortest,
        plain_longest=at_longest,
        largest_rise=float(np.max(np.diff(accuracies), initial=0.0)),
    )


def typed_prompt(cfg: AttentionConfig, res: AttentionResult) -> str:
    if cfg.task == "dates":
        return f"Type a date such as “{DATE_EXAMPLE}” (at most {DATE_CHARS} characters are read)."
    return f"Type up to {res.length} digits; the networks were trained on strings of {res.length}."


TYPE_SOMETHING = "Type something above to see where the decoder looks."

SWEEP_CAPTION = (
    "Rows fill in as lengths are trained with these settings (change the string length in the sidebar), "
    "here or by anyone else on this server. Each is a full training of both networks."
)


def cost_caption(cfg: AttentionConfig) -> str:
    return (
        f"One sequence of each length T ({', '.join(map(str, COST_LENGTHS))}) through an LSTM layer and a "
        f"self-attention layer of the same width ({cfg.hidden} units), timed on this machine while you waited; "
        "the attention-matrix size is read from the tensor the layer allocated."
    )


LOSS_CAPTION = f"Each network's own loss on the training batch of {BATCH} fresh examples at each step."

METRIC_HELP = (
    "Share of output tokens the network with attention writes right, decoding greedily held-out "
    "examples neither network trained on (0 to 1; higher is better). The downloaded reproduce.py "
    "recomputes it from the weights."
)
