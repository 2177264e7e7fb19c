import pytest
import torch

from rnnviz.core.cells import GATES, SIGNED_GATES, make_rnn, spectral_radius, states, trace


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("length", [1, 5, 23])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_instrumented_cells_match_fused_modules(cell, layers, length, bidirectional):
    torch.manual_seed(length * 10 + layers)
    module = make_rnn(cell, 3, 6, layers, bidirectional=bidirectional)
    for p in module.parameters():  # random weights well away from torch's small init
        torch.nn.init.normal_(p, std=0.6)
    x = torch.randn(4, length, 3)
    dirs = 2 if bidirectional else 1
    h0 = torch.randn(layers * dirs, 4, 6)
    c0 = torch.randn(layers * dirs, 4, 6)
    with torch.no_grad():
        if cell == "lstm":
            out, (hn, cn) = module(x, (h0, c0))
            tr = trace(module, x, h0, c0)
        else:
            out, hn = module(x, h0)
            tr = trace(module, x, h0)
    torch.testing.assert_close(tr.output, out, atol=1e-5, rtol=0)
    finals = torch.stack(
        [tr.layers[k][d].h[:, -1 if d == 0 else 0] for k in range(layers) for d in range(dirs)]
    )
    torch.testing.assert_close(finals, hn, atol=1e-5, rtol=0)
    if cell == "lstm":
        cfinals = torch.stack(
            [tr.layers[k][d].c[:, -1 if d == 0 else 0] for k in range(layers) for d in range(dirs)]
        )
        torch.testing.assert_close(cfinals, cn, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gates_are_in_range_and_consistent_with_states(cell):
    torch.manual_seed(0)
    module = make_rnn(cell, 2, 4)
    x = torch.randn(2, 9, 2) * 3
    with torch.no_grad():
        tr = trace(module, x)
    lt = tr.top
    assert set(lt.gates) == set(GATES[cell])
    for g, v in lt.gates.items():
        lo = -1 if g in SIGNED_GATES else 0
        assert v.min() >= lo and v.max() <= 1
        act = torch.tanh if g in SIGNED_GATES else torch.sigmoid
        torch.testing.assert_close(act(lt.pre[g]), v)
    if cell == "lstm":
        prev = torch.cat([torch.zeros(2, 1, 4), lt.c[:, :-1]], dim=1)
        torch.testing.assert_close(lt.c, lt.gates["f"] * prev + lt.gates["i"] * lt.gates["g"])
        torch.testing.assert_close(lt.h, lt.gates["o"] * torch.tanh(lt.c))


def test_trace_is_differentiable_per_step():
    torch.manual_seed(0)
    module = make_rnn("rnn", 1, 3)
    tr = trace(module, torch.randn(1, 6, 1))
    for h in tr.top.hs:
        h.retain_grad()
    tr.top.hs[-1].sum().backward()
    norms = [float(h.grad.norm()) for h in tr.top.hs]
    assert all(n > 0 for n in norms) and norms[-1] == pytest.approx(3**0.5)


def test_states_shapes_and_spectral_radius():
    module = make_rnn("lstm", 2, 5, 2)
    with torch.no_grad():
        s = states(trace(module, torch.randn(3, 7, 2)), index=1)
    assert s.h.shape == (2, 7, 5) and s.c.shape == (2, 7, 5)
    assert s.gates["f"].shape == (2, 7, 5)
    assert spectral_radius(torch.diag(torch.tensor([0.5, -2.0]))) == pytest.approx(2.0)


def test_unknown_cell_is_an_error():
    with pytest.raises(ValueError, match="unknown cell"):
        make_rnn("transformer", 1, 1)
