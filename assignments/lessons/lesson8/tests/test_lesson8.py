"""Lesson 8's exercise: attention(q, k, v, mask=None) -> (output, weights), written with
autograd ops, for any leading (batch, heads) axes.

The reference is gradstack's fused op ``autograd.scaled_dot_product_attention`` (itself
tested against PyTorch in tests/autograd). When the output is wrong, the check
recomputes the usual mistakes and names the one the output matches. Then
``autograd.gradcheck`` runs through the function. Inputs come from the check's own
NumPy generator, never from the library's.
"""

import numpy as np

import autograd
import gradstack


def _softmax(scores, axis):
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attend(q, k, v, mask, scale, axis=-1, mask_after=False):
    """A plain NumPy attention, with the knobs that the usual mistakes turn."""
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if mask is not None and not mask_after:
        scores = np.where(mask, scores, -1e9)
    weights = _softmax(scores, axis)
    if mask is not None and mask_after:
        weights = weights * mask
    return weights @ v


def _mistakes(q, k, v, mask):
    """What common wrong versions return, to recognise a wrong output by its value."""
    d = q.shape[-1]
    found = {
        "the scores are not divided by sqrt(d) (d = the length of a query)":
            _attend(q, k, v, mask, 1.0),
        "the scores are divided by d instead of sqrt(d)": _attend(q, k, v, mask, 1.0 / d),
        "the softmax runs over the queries (axis -2), not over the keys (axis -1)":
            _attend(q, k, v, mask, d ** -0.5, axis=-2),
    }
    if mask is not None:
        found["the mask is applied after the softmax: replace the forbidden scores "
              "(autograd.where) before it, so that each row still sums to 1"] = _attend(
                  q, k, v, mask, d ** -0.5, mask_after=True)
        found["the mask is ignored"] = _attend(q, k, v, None, d ** -0.5)
        found["the mask is inverted: it is True where a query MAY look at a key"] = _attend(
            q, k, v, ~mask, d ** -0.5)
    return found


def _compare(attention, q, k, v, mask, what):
    result = attention(autograd.tensor(q), autograd.tensor(k), autograd.tensor(v), mask)
    assert isinstance(result, tuple) and len(result) == 2, (
        f"attention should return (output, weights), got {type(result).__name__}")
    out, weights = (np.asarray(r.numpy() if isinstance(r, autograd.Tensor) else r)
                    for r in result)
    want_out, want_w = autograd.scaled_dot_product_attention(
        autograd.tensor(q), autograd.tensor(k), autograd.tensor(v), mask=mask,
        scale=1.0 / np.sqrt(q.shape[-1]), return_weights=True)
    want_out, want_w = want_out.numpy(), np.asarray(want_w)
    assert out.shape == want_out.shape, (
        f"{what}: the output has shape {out.shape}, expected {want_out.shape} = (..., Tq, dv) "
        f"for q {q.shape}, k {k.shape}, v {v.shape}")
    assert weights.shape == want_w.shape, (
        f"{what}: the weights have shape {weights.shape}, expected {want_w.shape} = "
        "(..., Tq, Tk): one row per query, one column per key")
    if not np.allclose(out, want_out, atol=1e-8):
        for mistake, value in _mistakes(q, k, v, mask).items():
            if value.shape == out.shape and np.allclose(out, value, atol=1e-8):
                raise AssertionError(f"{what}: the output is wrong: {mistake}.")
        raise AssertionError(
            f"{what}: the output is wrong (largest difference "
            f"{np.abs(out - want_out).max():.3g} from softmax(q kᵀ / sqrt(d)) v).")
    assert np.allclose(weights, want_w, atol=1e-8), (
        f"{what}: the output is right but the weights returned are not the softmax's weights")


def check_attention(ns):
    attention = ns["attention"]
    rng = np.random.default_rng(8)
    q = rng.normal(size=(2, 3, 4, 5))      # (batch, heads, Tq, d)
    k = rng.normal(size=(2, 3, 6, 5))      # (batch, heads, Tk, d)
    v = rng.normal(size=(2, 3, 6, 2))      # (batch, heads, Tk, dv)
    _compare(attention, q, k, v, None, "without a mask")
    mask = np.tril(np.ones((4, 6), dtype=bool), k=2)        # (Tq, Tk), every row has a True
    mask[1, 0] = False
    _compare(attention, q, k, v, mask, "with a mask")

    tensors = [autograd.tensor(a, requires_grad=True) for a in (q[:1, :2], k[:1, :2], v[:1, :2])]
    out = attention(*tensors, mask)[0]
    assert isinstance(out, autograd.Tensor) and out.grad_fn is not None, (
        "the output carries no gradient: compute it with autograd ops on the tensors "
        "(@, autograd.transpose, autograd.softmax, autograd.where), not with NumPy")
    assert autograd.gradcheck(lambda q_, k_, v_: attention(q_, k_, v_, mask)[0], tensors)


def test_attention():
    check_attention(gradstack.run_cells("tutorials/08_attention_from_scratch.ipynb",
                                        through="lesson8.attention"))
