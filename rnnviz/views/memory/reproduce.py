"""Rebuild one trained cell of the memory view with plain torch and recompute its held-out loss.

Run it in the exported folder: python reproduce.py
It reads the cell type and size from model.json, the weights from model.safetensors (no unpickling)
and the held-out sequences from held_out.json; its last line is the JSON {"metric": ..., "value": ...},
the same number as metrics.<cell>_held_out_loss in settings.json.
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn

MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def main() -> None:
    with open("model.json") as f:
        spec = json.load(f)
    cell = spec["cell"]
    rnn = MODULES[cell](spec["inputs"], spec["hidden"], batch_first=True)
    head = nn.Linear(spec["hidden"], 1)

    # Weights are stored per cell: "lstm.rnn.weight_ih_l0", "lstm.head.weight", ...
    weights = load_file("model.safetensors")
    for name, module in (("rnn", rnn), ("head", head)):
        prefix = f"{cell}.{name}."
        module.load_state_dict({k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix)})

    with open("held_out.json") as f:
        data = json.load(f)
    x = torch.tensor(data["x"], dtype=torch.float32)  # (sequences, steps, 2): value and marker
    y = torch.tensor(data["y"], dtype=torch.float32)[:, None]  # the answer each sequence asks for

    with torch.no_grad():
        states, _ = rnn(x)
        answers = head(states[:, -1])  # the read-out at the last step
        loss = nn.functional.mse_loss(answers, y)
    print(f"{cell}: mean squared error {float(loss):.6g} on {len(y)} held-out sequences")
    print(json.dumps({"metric": f"{cell}_held_out_loss", "value": float(loss)}))


if __name__ == "__main__":
    main()
