"""Recompute the test accuracy of an exported rnnviz sentiment classifier, with plain torch.

Run it inside the exported folder: ``python reproduce.py``. It rebuilds the network (a word
embedding, the recurrent layers and a logistic read-out), loads model.safetensors without
unpickling anything, reads each held-out test sentence as token ids from test_set.json, and
prints the share it classifies right as its last line: {"metric": "test_accuracy", "value": ...}.
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn

RECURRENT = {"rnn": nn.RNN, "rnn_relu": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class SentimentClassifier(nn.Module):
    """The same parameter names as rnnviz's model, so its weights load as they are."""

    def __init__(self, cell, vocab_size, embed, hidden, layers, bidirectional):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0)
        nonlinearity = {"nonlinearity": "relu" if cell == "rnn_relu" else "tanh"} if "rnn" in cell else {}
        self.rnn = RECURRENT[cell](
            embed, hidden, layers, batch_first=True, bidirectional=bidirectional, **nonlinearity
        )
        self.directions = 2 if bidirectional else 1
        self.head = nn.Linear(hidden * self.directions, 1)

    def forward(self, ids):
        """P(positive) of one sentence: the read-out of the top layer's last state in each direction."""
        _, last = self.rnn(self.embed(torch.tensor([ids])))
        h_n = last[0] if isinstance(last, tuple) else last  # an LSTM also returns its cell state
        state = torch.cat(list(h_n[-self.directions :, 0]), dim=-1)
        return torch.sigmoid(self.head(state))[0]


def main():
    with open("test_set.json", encoding="utf-8") as file:
        test = json.load(file)
    model = SentimentClassifier(**test["model"])
    model.load_state_dict(load_file("model.safetensors"))
    model.eval()
    with torch.no_grad():
        right = [
            bool(model(ids) > 0.5) == (label == 1)
            for ids, label in zip(test["ids"], test["labels"], strict=True)
        ]
    print(json.dumps({"metric": "test_accuracy", "value": sum(right) / len(right)}))


if __name__ == "__main__":
    main()
