"""Rebuild the measured cell of the gradients view with plain torch and recompute its decay ratio.

Run it in the exported folder: python reproduce.py
It reads the cell type and size from model.json, the weights from model.safetensors (no unpickling)
and the probe sequences from probe.json. It unrolls the cell one step at a time in float64, takes
the loss at the last step, asks autograd for dL/dh_t at every step, and prints the ratio of the
mean norm nearest the loss to the mean norm at step 1: metrics.decay_ratio in settings.json.
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn


def make_cell(cell: str, inputs: int, hidden: int) -> nn.Module:
    """torch's one-step cells hold the same four tensors as a one-layer nn.RNN/LSTM/GRU."""
    if cell == "lstm":
        return nn.LSTMCell(inputs, hidden)
    if cell == "gru":
        return nn.GRUCell(inputs, hidden)
    # The linear cell has no torch module: it keeps a tanh cell's weights and skips the tanh (see step).
    return nn.RNNCell(inputs, hidden, nonlinearity="relu" if cell == "rnn_relu" else "tanh")


def step(cell: str, module: nn.Module, x: torch.Tensor, state):
    if cell == "rnn_linear":
        h = state
        return x @ module.weight_ih.T + module.bias_ih + h @ module.weight_hh.T + module.bias_hh
    return module(x, state)


def main() -> None:
    with open("model.json") as f:
        spec = json.load(f)
    cell, hidden = spec["cell"], spec["hidden"]
    module = make_cell(cell, spec["inputs"], hidden)
    head = nn.Linear(hidden, 1)

    # Weights are stored per cell: "lstm.rnn.weight_ih_l0", "lstm.head.weight", ...
    weights = load_file("model.safetensors")
    rnn_prefix, head_prefix = f"{cell}.rnn.", f"{cell}.head."
    module.load_state_dict(
        {k[len(rnn_prefix) :].removesuffix("_l0"): v for k, v in weights.items() if k.startswith(rnn_prefix)}
    )
    head.load_state_dict({k[len(head_prefix) :]: v for k, v in weights.items() if k.startswith(head_prefix)})
    module.double()
    head.double()

    with open("probe.json") as f:
        data = json.load(f)
    x = torch.tensor(data["x"], dtype=torch.float64)  # (sequences, steps, 2): value and marker
    y = torch.tensor(data["y"], dtype=torch.float64)[:, None]

    h = torch.zeros(x.shape[0], hidden, dtype=torch.float64)
    state = (h, torch.zeros_like(h)) if cell == "lstm" else h
    states = []  # h_1 .. h_T, each kept so autograd can give dL/dh_t
    for t in range(x.shape[1]):
        state = step(cell, module, x[:, t], state)
        h = state[0] if cell == "lstm" else state
        states.append(h)
    loss = ((head(h) - y) ** 2).sum()  # summed, so row i of dL/dh_t is sequence i's own gradient

    grads = torch.autograd.grad(loss, states)
    norms = [float(g.norm(dim=-1).mean()) for g in grads]
    print(f"{cell}: mean ||dL/dh_t|| {norms[-1]:.3g} at the loss, {norms[0]:.3g} at step 1")
    print(json.dumps({"metric": "decay_ratio", "value": norms[-1] / norms[0]}))


if __name__ == "__main__":
    main()
