"""The manual SGD idiom trains a 2-16-16-1 MLP on gradstack exactly as on PyTorch.

fixtures/torch_training.npz holds PyTorch's loss at every step and its final
weights (float64, written by make_fixtures.py from torch_training_cases.py);
nothing here imports torch. gradstack runs the same loop, as written for PyTorch:
``with no_grad(): for p in params: p -= lr * p.grad``.
"""

from __future__ import annotations

import numpy as np
import pytest
from make_fixtures import load_fixture
from torch_training_cases import MLP_PARAMS, MLP_STEPS, TORCH_TRAINING

import autograd

pytestmark = pytest.mark.engine

FIXTURE = load_fixture("torch_training.npz")


def manual_sgd_mlp(case: dict) -> dict:
    params = [autograd.tensor(case[k], requires_grad=True) for k in MLP_PARAMS]
    w1, b1, w2, b2, w3, b3 = params
    x, target = autograd.tensor(case["x"]), autograd.tensor(case["target"])
    lr = float(case["lr"])
    losses = []
    for _ in range(MLP_STEPS):
        h = (x @ w1 + b1).tanh()
        h = (h @ w2 + b2).tanh()
        loss = ((h @ w3 + b3 - target) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
    weights = {f"y_{k}": p.numpy() for k, p in zip(MLP_PARAMS, params)}
    return {"y_losses": np.array(losses), **weights}


GRADSTACK = {"manual_sgd_mlp_2_16_16_1": manual_sgd_mlp}


def test_every_case_has_a_gradstack_side():
    assert set(GRADSTACK) == set(TORCH_TRAINING) == set(FIXTURE)


@pytest.mark.parametrize("name", sorted(GRADSTACK))
def test_same_losses_and_weights_as_pytorch(name):
    case = FIXTURE[name]
    ours = GRADSTACK[name](case)
    expected = {k: v for k, v in case.items() if k.startswith("y_")}
    assert sorted(ours) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(ours[key], value, rtol=1e-9, atol=1e-12, err_msg=key)
    assert ours["y_losses"][-1] < 0.5 * ours["y_losses"][0]  # it trained
