"""Recompute the free-running forecast error of an rnnviz Sine run, with plain torch.

Rebuilds the network, loads model.safetensors (no unpickling), reads the last observed window
from inputs.json, forecasts by feeding each prediction back, and prints the mean squared error
against the held-out future, in the series' own units.
"""

import json

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

torch.set_num_threads(1)
with open("inputs.json") as file:
    spec = json.load(file)
cells = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
features = len(spec["low"])
rnn = cells[spec["cell"]](features, spec["hidden"], spec["layers"], batch_first=True)
head = nn.Linear(spec["hidden"], features)
weights = load_file("model.safetensors")
rnn.load_state_dict({k.removeprefix("rnn."): v for k, v in weights.items() if k.startswith("rnn.")})
head.load_state_dict({k.removeprefix("head."): v for k, v in weights.items() if k.startswith("head.")})

# Scaled to [-1, 1] per column with the run's minimum and maximum (of values, or of changes).
low, high = np.array(spec["low"]), np.array(spec["high"])
half = (high - low) / 2
context = np.array(spec["context"])  # (window, columns), in what the network learned
scaled = ((context - low) / half - 1).astype(np.float32)
steps, window = len(spec["future"]), len(context)

with torch.no_grad():
    if spec["generation"] == "window":  # re-read the latest window from a zero state each step
        buffer = torch.empty(window + steps, features)
        buffer[:window] = torch.from_numpy(scaled)
        for k in range(steps):
            out, _ = rnn(buffer[k : k + window].unsqueeze(0))
            buffer[window + k] = head(out[0, -1])
        predicted = buffer[window:].numpy()
    else:  # carry the hidden state forward, one value per step
        predicted = np.empty((steps, features), dtype=np.float32)
        out, state = rnn(torch.from_numpy(scaled).unsqueeze(0))
        for k in range(steps):
            row = head(out[:, -1])
            predicted[k] = row[0].numpy()
            out, state = rnn(row.unsqueeze(1), state)

learned = (predicted + 1) * half + low  # back to the learned scale (the series' units unless "power" is set)
lag = spec["lag"]  # 0: the network predicted values; else changes over `lag` steps, added back up
if lag == 0:
    forecast = learned[:, 0]
else:
    values = list(spec["known"]) + [0.0] * steps  # the last `lag` observed values, then the forecast
    for k in range(steps):
        values[lag + k] = values[k] + learned[k, 0]
    forecast = np.array(values[lag:])
power = spec["power"]  # the scale the target was learned on: None its values, 0.5 square roots, 0 logs
if power == 0:
    forecast = np.exp(forecast)
elif power is not None:
    forecast = np.maximum(forecast, 0.0) ** (1 / power)

mse = float(np.mean((forecast.astype(float) - np.array(spec["future"])) ** 2))
print(json.dumps({"metric": "forecast_mse", "value": mse}))
