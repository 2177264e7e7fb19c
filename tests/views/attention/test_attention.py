"""The attention view: two equal decoding paths, the alignment a trained network learns, the measured
cost table, typed input, what its report holds and an export whose reproduce.py agrees on the date task."""

import dataclasses
import math
import re

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnviz.core import export
from rnnviz.views.attention import EXPERIMENT, VIEW
from rnnviz.views.attention.answers import on_rule_share
from rnnviz.views.attention.cost import LENGTHS, SelfAttentionLayer, measure
from rnnviz.views.attention.figures import sweep
from rnnviz.views.attention.lessons import (
    attention_vs_plain,
    bottleneck,
    claims,
    length_trend,
    where_attention_looks,
)
from rnnviz.views.attention.model import ragged
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.tasks import HELD_OUT, make_data, read
from rnnviz.views.attention.train import build
from tests.export_support import run_reproduce
from tests.trained import trained


@pytest.mark.parametrize("task", ["reverse", "dates"])
@pytest.mark.parametrize("score", ["dot", "additive"])
def test_batched_teacher_forcing_equals_the_step_by_step_path(task, score):
    """Training computes every decoder step at once; inspection and greedy decoding go step by step."""
    torch.manual_seed(0)
    batch = next(make_data(task, 7, 8, np.random.default_rng(0)).batches)
    for model in build(task, 12, score).values():
        model.eval()
        fast = model(batch.source, batch.lengths, batch.target_in)
        slow = model.steps(batch.source, batch.lengths, 0, batch.target.shape[1], batch.target_in)
        torch.testing.assert_close(fast.logits, slow.logits, atol=1e-5, rtol=1e-5)
        if model.attention != "none":
            torch.testing.assert_close(fast.weights, slow.weights, atol=1e-6, rtol=1e-5)
            assert torch.allclose(fast.weights.sum(-1), torch.ones(()))


def test_ragged_encoder_gives_what_packing_gives():
    """The encoder runs rows of different lengths in fused stretches; packing them is the reference,
    for the outputs (zero past each length), each row's final state and the gradients."""
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(5, 7, batch_first=True)
    lengths = torch.tensor([3, 6, 1, 6, 4, 3])
    x = torch.randn(len(lengths), 8, 5)

    def both(encode):
        inputs = x.clone().requires_grad_()
        out, (h, c) = encode(inputs)
        (out.sin().sum() + h.cos().sum() + (2 * c).tanh().sum()).backward()
        return out, h, c, inputs.grad

    def packed(inputs):
        seq = pack_padded_sequence(inputs, lengths, batch_first=True, enforce_sorted=False)
        out, last = lstm(seq)
        return pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0], last

    for mine, ref in zip(both(lambda inputs: ragged(lstm, inputs, lengths)), both(packed), strict=True):
        torch.testing.assert_close(mine, ref, atol=1e-6, rtol=1e-5)


def test_attention_never_reads_padding():
    torch.manual_seed(0)
    batch = next(make_data("dates", 0, 16, np.random.default_rng(1)).batches)
    assert int(batch.lengths.min()) < batch.source.shape[1], "the batch must mix lengths"
    with torch.no_grad():
        weights = build("dates", 12, "dot")["attention"](batch.source, batch.lengths, batch.target_in).weights
    padded = torch.arange(batch.source.shape[1]) >= batch.lengths.unsqueeze(1)
    assert float(weights.masked_select(padded.unsqueeze(1).expand_as(weights)).abs().max()) == 0.0


def test_held_out_strings_never_appear_in_training():
    data = make_data("copy", 5, 64, np.random.default_rng(0))
    held = {tuple(row) for row in data.held_out.source.tolist()}
    for _ in range(50):
        assert not held & {tuple(row) for row in next(data.batches).source.tolist()}


@pytest.mark.slow
def test_reversal_alignment_is_anti_diagonal():
    """Issue 14: for at least 90% of output steps the largest weight is within one of the mirrored input."""
    res = trained(
        EXPERIMENT, AttentionConfig(task="reverse", length=8, hidden=32, steps=200, lr=0.01, seed=0)
    )
    share = on_rule_share(res.weights, "reverse")
    assert share >= 0.9, share
    assert res.scores["attention"].token_accuracy > res.scores["plain"].token_accuracy
    # The rule itself: an exactly anti-diagonal matrix scores 1, a diagonal one does not.
    assert on_rule_share(np.eye(8)[::-1], "reverse") == 1.0
    assert on_rule_share(np.eye(8), "reverse") < 0.5


def test_attention_matrix_size_is_the_tensor_the_layer_allocates():
    """The table's T x T figure is read from the layer; here the saved tensors of autograd confirm it."""
    rows = measure(16, lengths=(8, 40))
    assert [r.rnn_sequential for r in rows] == [8, 40] and {r.attention_sequential for r in rows} == {1}
    layer = SelfAttentionLayer(16)
    for row in rows:
        saved = []

        def keep(t, saved=saved):
            saved.append(t)
            return t

        with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
            layer(torch.randn(1, row.length, 16, requires_grad=True))
        squares = [t for t in saved if tuple(t.shape[-2:]) == (row.length, row.length)]
        assert squares, "the attention weights are saved for the backward pass"
        assert row.attention_matrix_bytes == max(t.element_size() * t.nelement() for t in squares)
        assert row.attention_matrix_bytes == 4 * row.length**2
        assert row.kv_cache_bytes == 2 * row.length * 16 * 4 and row.rnn_state_bytes == 2 * 16 * 4
        assert row.rnn_ms > 0 and row.attention_ms > 0 and row.attention_token_us > 0


def test_self_attention_layer_matches_torch_transformer_layer():
    """The written-out layer is the standard one: same weights, same output as nn.TransformerEncoderLayer."""
    torch.manual_seed(0)
    mine = SelfAttentionLayer(16).eval()
    ref = torch.nn.TransformerEncoderLayer(16, 1, dim_feedforward=32, dropout=0.0, batch_first=True).eval()
    with torch.no_grad():
        ref.self_attn.in_proj_weight.copy_(mine.qkv.weight)
        ref.self_attn.in_proj_bias.copy_(mine.qkv.bias)
        ref.self_attn.out_proj.weight.copy_(mine.out.weight)
        ref.self_attn.out_proj.bias.copy_(mine.out.bias)
        ref.linear1.load_state_dict(mine.ff[0].state_dict())
        ref.linear2.load_state_dict(mine.ff[2].state_dict())
        ref.norm1.load_state_dict(mine.norm1.state_dict())
        ref.norm2.load_state_dict(mine.norm2.state_dict())
        x = torch.randn(2, 9, 16)
        torch.testing.assert_close(mine(x), ref(x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("raw", "text", "fragment"),
    [
        ("12a3🙂", "123", "Only the digits 0-9"),
        ("", "", None),
        ("1" * 50, "1" * 6, "only the first 6"),
        ("12", "12", "exactly 6 digits"),
    ],
)
def test_typed_digits_are_cleaned_with_a_reason(raw, text, fragment):
    typed = read(raw, "reverse", 6)
    assert typed.text == text
    assert typed.expected == (text[::-1] or None)
    if fragment:
        assert any(fragment in n for n in typed.notes), typed.notes


def test_typed_dates_are_read_and_judged():
    good = read("January 15, 2023", "dates", 30)
    assert good.text == "january 15, 2023" and good.expected == "2023-01-15" and not good.notes
    bad = read("31 Feb 2023 🙂", "dates", 30)
    assert bad.text == "31 feb 2023"
    assert bad.expected is None and any("does not exist" in n for n in bad.notes)
    assert any("never seen" in n for n in bad.notes)
    assert read("!!!", "dates", 30).text == ""


def test_dates_ignore_the_string_length():
    assert EXPERIMENT.prepare(AttentionConfig(task="dates", length=7)).length == AttentionConfig().length
    assert EXPERIMENT.prepare(AttentionConfig(task="copy", length=7)).length == 7


def test_report_holds_both_networks_scores_the_cost_table_and_a_timeline_of_both():
    cfg = EXPERIMENT.smoke_config()
    out = EXPERIMENT.full_report(cfg, trained(EXPERIMENT))
    m = out["metrics"]
    for key in ("token_accuracy_attention", "token_accuracy_plain", "exact_attention", "exact_plain"):
        assert 0 <= m[key] <= 1
    assert m["train_seconds"] > 0 and m["steps_trained"] == cfg.steps
    assert [r["length"] for r in out["cost"]] == list(LENGTHS)
    assert all(r["attention_matrix_bytes"] == 4 * r["length"] ** 2 for r in out["cost"])
    timeline = out["timeline"]
    steps = [e["step"] for e in timeline]
    assert steps[-1] == cfg.steps and len(steps) >= 10
    last = timeline[-1]
    assert len(last["accuracy_plain"]) == cfg.length
    assert np.array(last["weights"]).shape == (cfg.length, cfg.length)
    assert last["accuracy_attention"] == pytest.approx(out["position_accuracy"]["attention"], abs=1e-6)


def test_zero_steps_gives_one_frame_and_untrained_scores():
    cfg = AttentionConfig(length=5, hidden=8, steps=0)
    out = EXPERIMENT.full_report(cfg, trained(EXPERIMENT, cfg))
    assert [e["step"] for e in out["timeline"]] == [0]
    assert out["metrics"]["steps_trained"] == 0


def test_export_of_the_date_task_with_additive_scores_reproduces_the_metric(tmp_path):
    """The contract checks the smoke settings (digits, dot product); this is reproduce.py's other branches."""
    cfg = AttentionConfig(task="dates", hidden=16, steps=30, score="additive")
    res = trained(EXPERIMENT, cfg)
    export.write(EXPERIMENT.bundle(cfg, res, "http://localhost/attention"), tmp_path)
    assert (tmp_path / "index.html").exists() and (tmp_path / "model.safetensors").exists()
    table = (tmp_path / "data" / "accuracy_per_output_step.csv").read_text().splitlines()
    assert table[0].startswith("output step (t),") and len(table) == 11
    last = run_reproduce(tmp_path)
    assert last["metric"] == "token_accuracy_attention"
    assert math.isclose(last["value"], EXPERIMENT.metric.read(cfg, res), rel_tol=1e-5)


def _with_plain_right(res, task: str, right: np.ndarray):
    """The result as if the plain network had got ``right`` (strings, output steps) on ``task``."""
    plain = dataclasses.replace(res.scores["plain"], right=right.astype(bool))
    return dataclasses.replace(res, task=task, scores={**res.scores, "plain": plain})


def _ends(first: float, last: float, strings: int = 200, steps: int = 6) -> np.ndarray:
    """Per-string correctness with the given share of first and last output steps right."""
    right = np.zeros((strings, steps), dtype=bool)
    right[: int(first * strings), 0] = True
    right[: int(last * strings), -1] = True
    return right


def test_bottleneck_states_the_mechanism_of_the_task_and_the_direction_the_run_shows():
    """Issue 23 item 2: copying, output step t writes the digit read at step t (every digit waits as long);
    reversing, later output steps wait longer. The direction is decided by the first and last steps'
    paired accuracies, and says tie when their interval spans zero."""
    res = trained(EXPERIMENT)
    falling_copy = bottleneck(_with_plain_right(res, "copy", _ends(0.78, 0.125)))
    assert falling_copy.holds and falling_copy.evidence["low"] > 0
    assert falling_copy.evidence["first"] == pytest.approx(0.78) and falling_copy.evidence["last"] == 0.125
    assert "output step t writes the digit read at input step t" in falling_copy.text
    assert "falls along the answer" in falling_copy.text and "78% of first tokens right" in falling_copy.text
    assert "keeps the last digits" not in falling_copy.text and "longer its digit" not in falling_copy.text
    flat_copy = bottleneck(_with_plain_right(res, "copy", _ends(0.3, 0.31)))
    assert not flat_copy.holds and "tie" in flat_copy.text and "falls" not in flat_copy.text
    falling_reverse = bottleneck(_with_plain_right(res, "reverse", _ends(0.9, 0.2)))
    assert falling_reverse.holds and "the longer its digit had to survive" in falling_reverse.text
    rising_reverse = bottleneck(_with_plain_right(res, "reverse", _ends(0.2, 0.9)))
    assert not rising_reverse.holds and "rises along the answer" in rising_reverse.text
    for found in (falling_copy, flat_copy, falling_reverse, rising_reverse):
        assert found.agrees_with_evidence()


def test_attention_against_plain_is_paired_per_held_out_string():
    """The headline: a paired bootstrap over the same held-out strings; equal answers tie."""
    res = trained(EXPERIMENT)
    first = claims(EXPERIMENT.smoke_config(), res)[0]
    assert first.id == "attention_vs_plain" and first.evidence["strings"] == HELD_OUT
    assert first.evidence["difference"] == pytest.approx(
        res.scores["attention"].token_accuracy - res.scores["plain"].token_accuracy, abs=1e-6
    )
    same = dataclasses.replace(res, scores={**res.scores, "plain": res.scores["attention"]})
    tied = attention_vs_plain(same)
    assert not tied.holds and "tie" in tied.text
    ones = np.ones_like(res.scores["plain"].right)
    lost = attention_vs_plain(_with_plain_right(res, res.task, ones))
    assert not lost.holds and lost.text.startswith("The plain encoder-decoder beats")


def test_alignment_claim_reads_the_weights_against_the_rule():
    res = trained(EXPERIMENT)
    steps = res.weights.shape[1]
    on_line = dataclasses.replace(res, weights=np.broadcast_to(np.eye(steps), res.weights.shape))
    assert where_attention_looks(on_line).holds
    off_line = dataclasses.replace(res, weights=np.broadcast_to(np.eye(steps)[::-1], res.weights.shape))
    found = where_attention_looks(off_line)
    assert not found.holds and found.text.startswith("Attention does not follow the line")


def _rows(*points):
    return [{"length": n, "plain": p, "attention": None if p is None else 1.0} for n, p in points]


def test_length_sweep_says_falls_only_when_the_trained_lengths_fall():
    """Issue 23 item 12: two or more lengths trained no longer make "falls with length" true by themselves."""
    rising = length_trend(_rows((5, 0.3), (10, None), (30, 0.6)))
    assert not rising.holds and "does not fall steadily" in rising.text
    assert "falls with length" not in sweep(_rows((5, 0.3), (10, None), (30, 0.6)), 30).layout.title.text
    bumpy = length_trend(_rows((5, 0.9), (10, 0.4), (20, 0.7), (30, 0.3)))
    assert not bumpy.holds and bumpy.evidence["largest_rise"] == pytest.approx(0.3)
    falling = length_trend(_rows((5, 0.9), (10, 0.7), (30, 0.2)))
    assert falling.holds and falling.text.startswith("Through the bottleneck accuracy falls with length")
    assert falling.evidence["plain_longest"] == 0.2 and falling.evidence["longest"] == 30
    alone = length_trend(_rows((5, None), (6, 0.4)))
    assert not alone.holds and alone.text.startswith("Trained so far at 6 digits only")
    for found in (rising, bumpy, falling, alone):
        assert found.agrees_with_evidence()


def test_home_card_finding_is_an_expectation_without_typed_numbers():
    """Issue 23 item 13: the card's text before a result exists measures nothing."""
    assert VIEW.finding.startswith("Expect") and not re.search(r"\d", VIEW.finding)
