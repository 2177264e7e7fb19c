"""Recompute the accuracy of a Sequence patterns export from the exported weights, with plain torch.

Files beside this script: model.safetensors (the trained network) and eval_set.json (the fresh
sequences the accuracy was measured on, their targets and which outputs are scored).
Run: python reproduce.py
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn


def build(spec: dict) -> tuple[nn.RNNBase, nn.Linear]:
    common = dict(
        input_size=spec["input_size"],
        hidden_size=spec["hidden"],
        num_layers=spec["layers"],
        batch_first=True,
        bidirectional=spec["bidirectional"],
    )
    if spec["cell"] == "lstm":
        rnn = nn.LSTM(**common)
    elif spec["cell"] == "gru":
        rnn = nn.GRU(**common)
    else:
        rnn = nn.RNN(nonlinearity="relu" if spec["cell"] == "rnn_relu" else "tanh", **common)
    head = nn.Linear(spec["hidden"] * (2 if spec["bidirectional"] else 1), spec["classes"])
    return rnn, head


def main() -> None:
    with open("eval_set.json") as f:
        spec = json.load(f)
    weights = load_file("model.safetensors")
    rnn, head = build(spec)
    rnn.load_state_dict({k[len("rnn.") :]: v for k, v in weights.items() if k.startswith("rnn.")})
    head.load_state_dict({k[len("head.") :]: v for k, v in weights.items() if k.startswith("head.")})
    hits, total = 0, 0
    with torch.no_grad():
        for batch in spec["batches"]:
            # The network starts from a zero state, as in training; only scored outputs count.
            predicted = head(rnn(torch.tensor(batch["x"], dtype=torch.float32))[0]).argmax(-1)
            right = (predicted == torch.tensor(batch["y"])) | ~torch.tensor(batch["used"])
            if spec["metric"] == "sequence":  # a sequence counts when every scored output is right
                hits += int(right.all(dim=1).sum())
                total += len(right)
            else:
                used = torch.tensor(batch["used"])
                hits += int((right & used).sum())
                total += int(used.sum())
    print(json.dumps({"metric": "accuracy", "value": hits / total}))


if __name__ == "__main__":
    main()
