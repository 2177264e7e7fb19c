"""Recompute the held-out loss of an LSTM & GRU gates export from the exported weights, with plain torch.

Files beside this script: model.safetensors (the trained network) and held_out.json (the
held-out sequences and what the network should answer). Run: python reproduce.py
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn


def main() -> None:
    with open("held_out.json") as f:
        data = json.load(f)
    weights = load_file("model.safetensors")
    modules = {"lstm": nn.LSTM, "gru": nn.GRU}
    rnn = modules[data["cell"]](data["input_size"], data["hidden"], batch_first=True)
    rnn.load_state_dict({k[len("rnn.") :]: v for k, v in weights.items() if k.startswith("rnn.")})
    head = nn.Linear(data["hidden"], 1)
    head.load_state_dict({k[len("head.") :]: v for k, v in weights.items() if k.startswith("head.")})
    target = torch.tensor(data["target"], dtype=torch.float32)
    with torch.no_grad():
        if data["task"] == "sentiment":
            # Word ids through the classifier's embedding; the read-out sees each sentence's last real word.
            ids = torch.tensor(data["inputs"], dtype=torch.int64)
            lengths = torch.tensor(data["lengths"], dtype=torch.int64)
            states, _ = rnn(weights["embedding.weight"][ids])
            last = states[torch.arange(len(ids)), lengths - 1]
            loss = nn.functional.binary_cross_entropy_with_logits(head(last)[:, 0], target)
        else:
            # The answer is read after the last step (copy) or after every step (brackets).
            states, _ = rnn(torch.tensor(data["inputs"], dtype=torch.float32))
            answered = target.shape[1]
            loss = nn.functional.mse_loss(head(states)[:, -answered:, 0], target)
    print(json.dumps({"metric": "held_out_loss", "value": float(loss)}))


if __name__ == "__main__":
    main()
