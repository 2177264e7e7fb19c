"""Recompute the character model's held-out nats per character from the exported files, with plain torch.

Run it in the exported folder: python reproduce.py
It rebuilds the network (an embedding, the recurrent layers, a linear output), loads
model.safetensors (no unpickling), reads the held-out text as the app read it (windows of
text side by side, each after a warm-up that is read but not scored) from test_windows.json,
and prints the mean cross-entropy in nats per character as the last line.
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn

IGNORE = -1  # target of a character that is read but not scored


def recurrent_layer(cell: str, inputs: int, hidden: int) -> nn.Module:
    if cell == "lstm":
        return nn.LSTM(inputs, hidden, batch_first=True)
    if cell == "gru":
        return nn.GRU(inputs, hidden, batch_first=True)
    return nn.RNN(inputs, hidden, batch_first=True, nonlinearity="relu" if cell == "rnn_relu" else "tanh")


class CharModel(nn.Module):
    def __init__(self, cell: str, vocab: int, embedding: int, hidden: int, layers: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embedding)
        self.layers = nn.ModuleList(
            recurrent_layer(cell, embedding if i == 0 else hidden, hidden) for i in range(layers)
        )
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)
        for rnn in self.layers:
            x, _ = rnn(x)
        return self.head(x)


def main() -> None:
    with open("test_windows.json", encoding="utf-8") as f:
        data = json.load(f)
    model = CharModel(data["cell"], len(data["vocab"]), data["embedding"], data["hidden"], data["layers"])
    model.load_state_dict(load_file("model.safetensors"))
    model.eval()
    inputs = torch.tensor(data["inputs"])
    targets = torch.tensor(data["targets"])
    with torch.no_grad():
        logits = model(inputs)
        total = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]).double(),
            targets.reshape(-1),
            ignore_index=IGNORE,
            reduction="sum",
        )
    value = float(total) / int((targets != IGNORE).sum())
    print(f"{int((targets != IGNORE).sum())} held-out characters scored")
    print(json.dumps({"metric": "test_nats_per_char", "value": value}))


if __name__ == "__main__":
    main()
