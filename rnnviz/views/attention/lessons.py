"""What the page says: findings and captions written from the result, and the prose around them."""

from __future__ import annotations

from collections.abc import Sequence

from rnnviz.core.dates import EXAMPLE as DATE_EXAMPLE
from rnnviz.core.dates import MAX_CHARS as DATE_CHARS
from rnnviz.core.fit import training_budget_s
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
    "through one vector. With attention it looks back at every input step before writing each token. "
    "Both networks below have the same GRUs, sizes, seed, batches and training steps."
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
    "h_i: encoder state after input step i; s_t: decoder state at output step t (a GRU step from s_{t-1} "
    "and the previous token); the next token is softmax(W_y s̃_t). The plain network has no c_t: "
    "s̃_t = tanh(W_c s_t + b_c). The scores come after the decoder's GRU step (Luong's placement), so with "
    "teacher forcing one fused GRU call and one batched product cover every output step."
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
    "known in advance: the decoder's GRU runs fused over the whole answer, and the attention of every "
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
        "then a few seconds more to time a GRU layer against a self-attention layer."
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


def alignment_finding(res: AttentionResult) -> str:
    if res.task == "dates":
        focus = month_focus(held_out_example(res))
        return f"To write the month's digits the decoder looks at the month's letters ({percent(focus)} of the weight)"
    share = on_rule_share(res.weights, res.task)
    where = "the mirrored input step" if res.task == "reverse" else "the input step it is writing"
    return f"Attention reads {where}: {percent(share)} of output steps on the line"


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
            "GRU fwd+bwd (ms)": round(r.rnn_ms, 2),
            "attention fwd+bwd (ms)": round(r.attention_ms, 2),
            "sequential steps, GRU": r.rnn_sequential,
            "sequential steps, attention": r.attention_sequential,
            "attention matrix (bytes)": r.attention_matrix_bytes,
            "GRU state (bytes)": r.rnn_state_bytes,
            "new token, GRU (µs)": round(r.rnn_token_us, 1),
            "new token, attention (µs)": round(r.attention_token_us, 1),
            "key-value cache (bytes)": r.kv_cache_bytes,
        }
        for r in rows
    ]


TREND_MARGIN = 0.05
"""How far apart the first and last output steps' accuracy must be to call it a fall or a rise: about
the noise of two shares of the held-out examples."""


def bottleneck(res: AttentionResult) -> str:
    """Why the plain network fails, with the direction its accuracy takes along the answer read from this run.

    Which end of the answer it gets right depends on the task: copying, the first token written is the
    first digit read; reversing, it is the last one. The mechanism is stated only when the run shows it.
    """
    plain = res.scores["plain"].position_accuracy
    first, last = float(plain[0]), float(plain[-1])
    ends = f"without attention, {percent(first)} of first tokens right and {percent(last)} of last tokens"
    if res.task == "reverse":
        fact = "Reversing, the first token it writes is the last digit it read"
        mechanism = (
            "a GRU state of a few dozen numbers, trained briefly, keeps the last digits it read sharply and "
            "the early ones hardly at all, so the accuracy per output step falls along the answer"
        )
    elif res.task == "copy":
        fact = (
            "Copying, the first token it writes is the first digit it read, and the one state must carry "
            "every digit after it too"
        )
        mechanism = (
            "early output steps are right most often and the accuracy falls along the answer as the "
            "fixed-size state runs out"
        )
    else:
        fact = "Converting a date, every character of the answer is read off that one state"
        mechanism = None
    falls = last < first - TREND_MARGIN
    if falls and mechanism:
        told = f": {mechanism}"
    elif falls:
        told = ". Here the accuracy per output step falls along the answer"
    elif last > first + TREND_MARGIN:
        told = ". Here the accuracy per output step rises along the answer"
    else:
        told = ". Here the accuracy per output step is about the same at both ends of the answer"
    return (
        f"The plain decoder starts from the encoder's last state and must write every token from it. "
        f"{fact}{told} ({ends}). Attention gives each output step its own mix of all encoder states, so "
        "nothing has to survive the whole input."
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
        f"One sequence of each length T ({', '.join(map(str, COST_LENGTHS))}) through a GRU layer and a "
        f"self-attention layer of the same width ({cfg.hidden} units), timed on this machine while you waited; "
        "the attention-matrix size is read from the tensor the layer allocated."
    )


LOSS_CAPTION = f"Each network's own loss on the training batch of {BATCH} fresh examples at each step."

METRIC_HELP = (
    "Share of output tokens the network with attention writes right, decoding greedily held-out "
    "examples neither network trained on (0 to 1; higher is better). The downloaded reproduce.py "
    "recomputes it from the weights."
)
