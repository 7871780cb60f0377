"""The sequence layers give Keras 3's outputs and gradients for Keras's weights.

Expected values: fixtures/keras_sequence.npz, written by make_fixtures.py from the
cases in sequence_cases.py (Keras 3, torch backend). Our model is built by the
same case code from ``nn``; the stored weights go in with ``set_weights`` in
Keras's order, so a layout mismatch fails here. Nothing here imports Keras.
"""

from __future__ import annotations

import numpy as np
import pytest
from make_fixtures import load_fixture
from sequence_cases import CASES, KERAS_SEQUENCE

import autograd
import nn

pytestmark = pytest.mark.layers

STORED = load_fixture("keras_sequence.npz")


def test_every_case_has_a_fixture_and_a_producer():
    assert sorted(STORED) == sorted(CASES) == sorted(KERAS_SEQUENCE)


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_and_gradients_match_keras(case):
    stored = STORED[case]
    nn.clear_session()
    model = CASES[case][0](nn)
    weights = [stored[f"w_{i}"] for i in range(len(model.weights))]
    assert f"w_{len(weights)}" not in stored, "Keras has more weights than our model"
    model.set_weights(weights)
    x = stored["x"]
    xt = autograd.tensor(x, requires_grad=True) if x.dtype.kind == "f" else x
    ys = model(xt)
    ys = ys if isinstance(ys, list) else [ys]
    assert len(ys) == sum(k.startswith("y_") for k in stored)
    loss = 0
    for i, y in enumerate(ys):
        np.testing.assert_allclose(y.numpy(), stored[f"y_{i}"], rtol=2e-5, atol=2e-6,
                                   err_msg=f"{case}: y_{i}")
        loss = loss + (y * stored[f"upstream_{i}"]).sum()
    loss.backward()
    if "grad_x" in stored:
        np.testing.assert_allclose(xt.grad.numpy(), stored["grad_x"], rtol=1e-4, atol=1e-5,
                                   err_msg=f"{case}: grad_x")
    for i, w in enumerate(model.weights):
        np.testing.assert_allclose(w.grad.numpy(), stored[f"grad_w_{i}"], rtol=1e-4,
                                   atol=1e-5, err_msg=f"{case}: grad_w_{i} ({w.name})")
