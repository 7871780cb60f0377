"""Lesson 7's exercise: one step of a GRU (Keras's reset_after=True form) with autograd ops.

Your step and a ``GRU`` layer get the same weights (drawn here from a seeded NumPy
generator, not the library's, so the lesson's later numbers stay the same). The new
state must match the layer's, and so must the gradients of every weight and of ``h``:
a step computed in NumPy, or with a gate in the wrong block, fails.
"""

import numpy as np

import autograd
import gradstack
import nn


def check_gru_step(ns):
    gru_step = ns["gru_step"]
    rng = np.random.default_rng(7)
    batch, features, units = 3, 4, 5
    weights = [rng.normal(size=(features, 3 * units)) * 0.5,
               rng.normal(size=(units, 3 * units)) * 0.5,
               rng.normal(size=(2, 3 * units)) * 0.5]
    x, h, upstream = (rng.normal(size=(batch, features)), rng.normal(size=(batch, units)),
                      rng.normal(size=(batch, units)))

    # The reference: a GRU layer (zero initializers draw nothing) over a sequence of one step.
    layer = nn.layers.GRU(units, kernel_initializer="zeros", recurrent_initializer="zeros",
                          dtype="float64")
    layer.build((batch, 1, features))
    layer.set_weights(weights)
    h_ref = autograd.tensor(h, requires_grad=True)
    expected = layer(autograd.tensor(x[:, None, :]), initial_state=[h_ref])
    (expected * autograd.tensor(upstream)).sum().backward()

    mine = [autograd.tensor(w, requires_grad=True) for w in weights]
    h_mine = autograd.tensor(h, requires_grad=True)
    got = gru_step(autograd.tensor(x), h_mine, *mine)
    assert isinstance(got, autograd.Tensor), (
        f"gru_step returned a {type(got).__name__}; write it with autograd ops on the Tensors "
        "it receives, so that it returns a Tensor that gradients flow through")
    assert tuple(got.shape) == (batch, units), (
        f"gru_step returned shape {tuple(got.shape)}; the new state has the shape of h, "
        f"(batch, units) = {(batch, units)}")
    assert np.allclose(got.numpy(), expected.numpy(), atol=1e-8), (
        "the new state differs from the GRU layer's: largest difference "
        f"{np.abs(got.numpy() - expected.numpy()).max():.3g}. Check the gate order (z, r, "
        "candidate), which bias row goes where, and that r multiplies the recurrent part only")
    (got * autograd.tensor(upstream)).sum().backward()
    names = ["kernel", "recurrent_kernel", "bias", "h"]
    for name, yours, theirs in zip(names, mine + [h_mine], layer.weights + [h_ref]):
        assert yours.grad is not None, f"no gradient reached {name}: is it used with autograd ops?"
        assert np.allclose(yours.grad.numpy(), theirs.grad.numpy(), atol=1e-8), (
            f"the new state is right but the gradient of {name} is not: was part of the step "
            "computed outside autograd (NumPy arrays, .numpy(), .item())?")


def test_gru_step():
    check_gru_step(gradstack.run_cells("tutorials/07_sequences.ipynb", through="lesson7.gru_step"))
