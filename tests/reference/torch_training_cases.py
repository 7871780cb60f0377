"""PyTorch training loops written the way courses write them, for torch_training.npz.

One case so far: the manual SGD step (``with torch.no_grad(): p -= lr * p.grad``)
training a 2-16-16-1 tanh MLP on a small regression, in float64. Inputs: ``x``,
``target``, the initial weights ``w1 b1 w2 b2 w3 b3`` and ``lr``; reference
outputs: the loss of every step (``y_losses``) and the final weights (``y_w1`` ...).
The gradstack side is tests/reference/test_torch_training_fixtures.py.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Arrays = dict[str, np.ndarray]

MLP_PARAMS = ("w1", "b1", "w2", "b2", "w3", "b3")
MLP_STEPS = 40


def mlp_inputs(rng: np.random.Generator) -> Arrays:
    x = rng.standard_normal((32, 2))
    arrays = {"x": x, "target": np.sin(x[:, :1]) * np.cos(x[:, 1:]), "lr": np.array(0.2)}
    for k, (n_in, n_out) in enumerate([(2, 16), (16, 16), (16, 1)], start=1):
        arrays[f"w{k}"] = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        arrays[f"b{k}"] = rng.uniform(-0.1, 0.1, n_out)
    return arrays


def _manual_sgd_mlp(rng: np.random.Generator) -> Arrays:
    import torch

    arrays = mlp_inputs(rng)
    params = [torch.tensor(arrays[k], requires_grad=True) for k in MLP_PARAMS]
    w1, b1, w2, b2, w3, b3 = params
    x, target = torch.tensor(arrays["x"]), torch.tensor(arrays["target"])
    lr = float(arrays["lr"])
    losses = []
    for _ in range(MLP_STEPS):
        h = torch.tanh(x @ w1 + b1)
        h = torch.tanh(h @ w2 + b2)
        loss = ((h @ w3 + b3 - target) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
    out = {f"y_{k}": p.detach().numpy() for k, p in zip(MLP_PARAMS, params)}
    return {**arrays, "y_losses": np.array(losses), **out}


TORCH_TRAINING: dict[str, Callable[[np.random.Generator], Arrays]] = {
    "manual_sgd_mlp_2_16_16_1": _manual_sgd_mlp,
}
