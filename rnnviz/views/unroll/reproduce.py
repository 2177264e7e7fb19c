"""Recompute loss_after_training of an exported rnnviz "Unrolled hidden states" run, with plain torch.

Run it in the exported folder: python reproduce.py
It rebuilds the network (one-hot tokens or numbers -> recurrent layers -> linear read-out), loads the
trained weights from model.safetensors (no unpickling), reads the sequence from sequence.json, and
measures how well the model guesses each next token. The last line printed is JSON.
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn

CELLS = {"rnn": nn.RNN, "rnn_relu": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class TokenModel(nn.Module):
    def __init__(self, cell: str, inputs: int, hidden: int, outputs: int, layers: int) -> None:
        super().__init__()
        extra = {"nonlinearity": "relu"} if cell == "rnn_relu" else {}
        self.rnn = CELLS[cell](inputs, hidden, layers, batch_first=True, **extra)
        self.head = nn.Linear(hidden, outputs)
        # The initial state h0 (zeros, random or learned): its values are in the weights file.
        self.register_buffer("h0", torch.zeros(layers, 1, hidden))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        state = (self.h0, torch.zeros_like(self.h0)) if isinstance(self.rnn, nn.LSTM) else self.h0
        out, _ = self.rnn(x, state)
        return self.head(out)


def main() -> None:
    with open("sequence.json", encoding="utf-8") as f:
        seq = json.load(f)
    if seq["numbers"] is not None:
        x = torch.tensor(seq["numbers"], dtype=torch.float32).reshape(1, -1, 1)
        outputs = 1
    else:
        ids = torch.tensor([seq["vocab"].index(token) for token in seq["tokens"]])
        x = nn.functional.one_hot(ids, len(seq["vocab"])).float().unsqueeze(0)
        outputs = len(seq["vocab"])

    model = TokenModel(seq["cell"], x.shape[-1], seq["hidden"], outputs, seq["layers"])
    model.load_state_dict(load_file("model.safetensors"))
    model.eval()
    with torch.no_grad():
        guesses = model(x[:, :-1])  # after reading tokens 1..t, guess token t+1
        if seq["numbers"] is not None:
            loss = nn.functional.mse_loss(guesses, x[:, 1:])
        else:
            loss = nn.functional.cross_entropy(guesses[0], ids[1:])
    print(json.dumps({"metric": "loss_after_training", "value": loss.item()}))


if __name__ == "__main__":
    main()
