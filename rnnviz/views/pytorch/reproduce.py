"""Recompute the packed reader's test accuracy from the exported weights, with plain torch.

Files beside this script: model.safetensors (the trained weights) and test_sentences.json (the
settings, and the test sentences as token ids with their labels, in the order they were scored).
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

MODULES = {"rnn": nn.RNN, "rnn_relu": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Reader(nn.Module):
    """Word embeddings, one recurrent layer read with packing, and a logistic read-out."""

    def __init__(self, cell, vocab_size, embed, hidden, bidirectional):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0)
        extra = {"nonlinearity": "relu"} if cell == "rnn_relu" else {}
        self.rnn = MODULES[cell](embed, hidden, batch_first=True, bidirectional=bidirectional, **extra)
        self.directions = 2 if bidirectional else 1
        self.head = nn.Linear(hidden * self.directions, 1)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        _, last = self.rnn(packed)
        h_n = last[0] if isinstance(last, tuple) else last  # an LSTM returns (h_n, c_n)
        summary = torch.cat(list(h_n[-self.directions :]), dim=-1)  # each direction's last state
        return self.head(summary).squeeze(-1)


def main():
    with open("test_sentences.json") as f:
        data = json.load(f)
    model = Reader(data["cell"], data["vocab_size"], data["embed"], data["hidden"], data["bidirectional"])
    model.load_state_dict(load_file("model.safetensors"))
    model.eval()
    correct = 0
    batch = data["batch"]
    with torch.no_grad():
        for start in range(0, len(data["ids"]), batch):
            sentences = data["ids"][start : start + batch]
            lengths = torch.tensor([len(s) for s in sentences])
            ids = torch.zeros(len(sentences), int(lengths.max()), dtype=torch.int64)  # 0 is the padding id
            for row, s in enumerate(sentences):
                ids[row, : len(s)] = torch.tensor(s)
            labels = torch.tensor(data["labels"][start : start + batch])
            correct += int(((model(ids, lengths) > 0).long() == labels).sum())
    print(json.dumps({"metric": "packed_test_accuracy", "value": correct / len(data["ids"])}))


if __name__ == "__main__":
    main()
