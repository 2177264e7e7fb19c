"""Rebuild the attention network of an rnnviz export with plain torch and recompute its token accuracy.

Reads model.json (sizes and score function), model.safetensors (the trained weights, loaded without
unpickling) and held_out.json (the held-out examples), decodes them greedily one step at a time and
prints, as its last line, {"metric": "token_accuracy_attention", "value": ...}.
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

with open("model.json") as f:
    spec = json.load(f)
with open("held_out.json") as f:
    data = json.load(f)
weights = load_file("model.safetensors")
hidden, embed, score = spec["hidden"], spec["embed"], spec["score"]


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.source_embed = nn.Embedding(spec["source_size"], embed, padding_idx=0)
        self.target_embed = nn.Embedding(spec["target_size"], embed)
        self.encoder = nn.LSTM(embed, hidden, batch_first=True)
        self.decoder = nn.LSTM(embed, hidden, batch_first=True)
        if score == "additive":
            self.query = nn.Linear(hidden, hidden, bias=False)
            self.key = nn.Linear(hidden, hidden)
            self.score = nn.Linear(hidden, 1, bias=False)
        self.combine = nn.Linear(2 * hidden, hidden)
        self.head = nn.Linear(hidden, spec["target_size"])


model = Seq2Seq()
prefix = "attention."
model.load_state_dict({k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix)})
model.eval()

source = torch.tensor(data["source"])
lengths = torch.tensor(data["lengths"])
target = torch.tensor(data["target"])

with torch.no_grad():
    # Encoder: padded positions are never read, and attention never looks at them.
    packed = pack_padded_sequence(model.source_embed(source), lengths, batch_first=True, enforce_sorted=False)
    h, state = model.encoder(packed)
    h, _ = pad_packed_sequence(h, batch_first=True, total_length=source.shape[1])
    real = torch.arange(source.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)

    token = torch.zeros(len(source), 1, dtype=torch.long)  # id 0 starts every answer
    answer = []
    for _ in range(target.shape[1]):
        s, state = model.decoder(model.target_embed(token), state)
        if score == "dot":
            e = s @ h.transpose(1, 2)
        else:
            e = model.score(torch.tanh(model.query(s).unsqueeze(2) + model.key(h).unsqueeze(1))).squeeze(-1)
        alpha = torch.softmax(e.masked_fill(~real.unsqueeze(1), float("-inf")), dim=-1)
        context = alpha @ h
        token = model.head(torch.tanh(model.combine(torch.cat([context, s], dim=-1)))).argmax(-1)
        answer.append(token)

accuracy = (torch.cat(answer, dim=1) == target).float().mean().item()
print(json.dumps({"metric": "token_accuracy_attention", "value": accuracy}))
