"""The fused recurrent ops (autograd/ops/recurrent.py): values against a step-by-step
NumPy loop written from the equations, and gradients against finite differences."""

import numpy as np
import pytest

import autograd
from autograd.ops.recurrent import ACTIVATIONS, lstm_states

pytestmark = pytest.mark.ops

B, T, D, H = 2, 4, 3, 5


def _t(rng, *shape, scale=0.5, grad=True):
    return autograd.tensor(rng.normal(size=shape) * scale, requires_grad=grad)


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _lstm_reference(x, w, u, b, h, c, mask=None):
    """The LSTM equations one step at a time (Keras gate order i, f, c, o)."""
    n = u.shape[0]
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ w + h @ u + b
        i, f = _sig(z[:, :n]), _sig(z[:, n:2 * n])
        g, o = np.tanh(z[:, 2 * n:3 * n]), _sig(z[:, 3 * n:])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        keep = np.ones((x.shape[0], 1), bool) if mask is None else mask[:, t, None]
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
        hs.append(h)
    return np.stack(hs, 1), c


def _gru_reference(x, w, u, b, h, reset_after):
    n = u.shape[0]
    hs = []
    for t in range(x.shape[1]):
        if reset_after:
            xw, hu = x[:, t] @ w + b[0], h @ u + b[1]
            z, r = _sig(xw[:, :n] + hu[:, :n]), _sig(xw[:, n:2 * n] + hu[:, n:2 * n])
            hh = np.tanh(xw[:, 2 * n:] + r * hu[:, 2 * n:])
        else:
            xw = x[:, t] @ w + b
            z = _sig(xw[:, :n] + h @ u[:, :n])
            r = _sig(xw[:, n:2 * n] + h @ u[:, n:2 * n])
            hh = np.tanh(xw[:, 2 * n:] + (r * h) @ u[:, 2 * n:])
        h = z * h + (1 - z) * hh
        hs.append(h)
    return np.stack(hs, 1)


def test_lstm_matches_the_equations_step_by_step():
    rng = np.random.default_rng(0)
    x, w, u, b = (rng.normal(size=s) for s in ((B, T, D), (D, 4 * H), (H, 4 * H), (4 * H,)))
    h0, c0 = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    out = autograd.lstm(x, w, u, b, initial_state=(h0, c0)).numpy()
    hs, c = _lstm_reference(x, w, u, b, h0, c0)
    np.testing.assert_allclose(out[:, :T], hs, rtol=1e-10)
    np.testing.assert_allclose(out[:, T], c, rtol=1e-10)


def test_lstm_masked_steps_carry_the_state():
    rng = np.random.default_rng(1)
    x, w, u, b = (rng.normal(size=s) for s in ((B, T, D), (D, 4 * H), (H, 4 * H), (4 * H,)))
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool)
    out = autograd.lstm(x, w, u, b, mask=mask).numpy()
    hs, c = _lstm_reference(x, w, u, b, np.zeros((B, H)), np.zeros((B, H)), mask)
    np.testing.assert_allclose(out[:, :T], hs, rtol=1e-10)
    np.testing.assert_array_equal(out[1, 1], out[1, 0])  # masked: the state is copied


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_the_equations_step_by_step(reset_after):
    rng = np.random.default_rng(2)
    x, w, u = (rng.normal(size=s) for s in ((B, T, D), (D, 3 * H), (H, 3 * H)))
    b = rng.normal(size=(2, 3 * H) if reset_after else (3 * H,))
    h0 = rng.normal(size=(B, H))
    out = autograd.gru(x, w, u, b, initial_state=h0, reset_after=reset_after).numpy()
    np.testing.assert_allclose(out, _gru_reference(x, w, u, b, h0, reset_after), rtol=1e-10)


def test_simple_rnn_matches_the_equation():
    rng = np.random.default_rng(3)
    x, w, u, b = (rng.normal(size=s) for s in ((B, T, D), (D, H), (H, H), (H,)))
    h = np.zeros((B, H))
    expected = []
    for t in range(T):
        h = np.tanh(x[:, t] @ w + b + h @ u)
        expected.append(h)
    np.testing.assert_allclose(autograd.simple_rnn(x, w, u, b).numpy(), np.stack(expected, 1),
                               rtol=1e-10)


def _mask():
    return np.array([[1, 1, 0, 1], [0, 1, 1, 0]], bool)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("dropout", [False, True])
def test_lstm_gradcheck(masked, dropout):
    rng = np.random.default_rng(4)
    x, w, u, b = _t(rng, B, T, D), _t(rng, D, 4 * H), _t(rng, H, 4 * H), _t(rng, 4 * H)
    h0, c0 = _t(rng, B, H), _t(rng, B, H)
    rec = (rng.random((B, H)) > 0.3) / 0.7 if dropout else None
    mask = _mask() if masked else None
    autograd.gradcheck(
        lambda *a: autograd.lstm(*a[:4], initial_state=a[4:], mask=mask, recurrent_mask=rec),
        [x, w, u, b, h0, c0])


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("masked", [False, True])
def test_gru_gradcheck(reset_after, masked):
    rng = np.random.default_rng(5)
    x, w, u, h0 = _t(rng, B, T, D), _t(rng, D, 3 * H), _t(rng, H, 3 * H), _t(rng, B, H)
    b = _t(rng, 2, 3 * H) if reset_after else _t(rng, 3 * H)
    rec = (rng.random((B, H)) > 0.3) / 0.7
    mask = _mask() if masked else None
    autograd.gradcheck(
        lambda *a: autograd.gru(*a[:4], initial_state=a[4], mask=mask, recurrent_mask=rec,
                                reset_after=reset_after),
        [x, w, u, b, h0])


@pytest.mark.parametrize("activation", sorted(set(ACTIVATIONS) - {"hard_sigmoid"}))
def test_simple_rnn_gradcheck(activation):
    rng = np.random.default_rng(6)
    x, w, u, b, h0 = _t(rng, B, T, D), _t(rng, D, H), _t(rng, H, H), _t(rng, H), _t(rng, B, H)
    autograd.gradcheck(
        lambda *a: autograd.simple_rnn(*a[:4], initial_state=a[4], mask=_mask(),
                                       activation=activation),
        [x, w, u, b, h0])


def test_lstm_with_hard_sigmoid_gates_gradcheck():
    # hard_sigmoid has kinks at +-3; small weights keep every pre-activation away from them
    rng = np.random.default_rng(7)
    x, w, u, b = (_t(rng, *s, scale=0.3) for s in ((B, T, D), (D, 4 * H), (H, 4 * H), (4 * H,)))
    autograd.gradcheck(
        lambda *a: autograd.lstm(*a, recurrent_activation="hard_sigmoid"), [x, w, u, b])


def test_recurrent_ops_explain_a_2d_input():
    with pytest.raises(ValueError, match=r"3-D \(batch, steps, features\).*x\[:, None, :\]"):
        autograd.lstm(np.ones((2, 3)), np.ones((3, 8)), np.ones((2, 8)))


def test_recurrent_ops_explain_a_mask_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, steps\) = \(2, 4\)"):
        autograd.gru(np.ones((2, 4, 3)), np.ones((3, 6)), np.ones((2, 6)), mask=np.ones((2, 3)))


def test_unsupported_activation_is_explained():
    with pytest.raises(ValueError, match="no fused version"):
        autograd.simple_rnn(np.ones((1, 2, 3)), np.ones((3, 2)), np.ones((2, 2)),
                            activation="selu")


def test_embedding_gradcheck_adds_the_gradients_of_repeated_ids():
    rng = np.random.default_rng(8)
    table = _t(rng, 5, 3)
    ids = np.array([[1, 4, 1], [0, 1, 2]])
    autograd.gradcheck(lambda w: autograd.embedding(ids, w), [table])
    autograd.embedding(ids, table).sum().backward()
    # id 1 is used three times, 3 never: the row gradients count the uses
    np.testing.assert_allclose(table.grad.numpy()[:, 0], [1, 3, 1, 0, 1])


def test_embedding_explains_bad_ids():
    table = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"id 4 is out of range.*\[0, 3\]"):
        autograd.embedding([[1, 4]], table)
    with pytest.raises(ValueError, match="ids must be integers.*0.5"):
        autograd.embedding(np.array([0.5, 1.0]), table)
    np.testing.assert_array_equal(autograd.embedding(np.array([1.0]), np.eye(4)).numpy(),
                                  [[0, 1, 0, 0]])


@pytest.mark.parametrize("axis", [-1, (1, 2), 1])
def test_layer_norm_gradcheck(axis):
    rng = np.random.default_rng(9)
    x = _t(rng, 2, 3, 4, scale=2.0)
    shape = tuple(x.shape[a] if a in np.atleast_1d(np.array(axis) % 3) else 1 for a in range(3))
    gamma, beta = _t(rng, *shape), _t(rng, *shape)
    autograd.gradcheck(lambda *a: autograd.layer_norm(*a, axis=axis), [x, gamma, beta])
    out = autograd.layer_norm(x, axis=axis, epsilon=0.0).numpy()
    np.testing.assert_allclose(out.mean(axis=axis), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=axis), 1, rtol=1e-10)


def _attention_reference(q, k, v, mask, scale):
    s = q @ np.swapaxes(k, -1, -2) * scale
    s = np.where(mask, s, -1e9) if mask is not None else s
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    return w @ v


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("dropout", [False, True])
def test_scaled_dot_product_attention_gradcheck(masked, dropout):
    rng = np.random.default_rng(10)
    q, k, v = _t(rng, 2, 3, 4, 5), _t(rng, 2, 3, 6, 5), _t(rng, 2, 3, 6, 2)
    mask = rng.random((2, 1, 4, 6)) > 0.3 if masked else None
    drop = (rng.random((2, 3, 4, 6)) > 0.2) / 0.8 if dropout else None
    autograd.gradcheck(
        lambda *a: autograd.scaled_dot_product_attention(*a, mask=mask, dropout=drop), [q, k, v])
    if not dropout:
        expected = _attention_reference(q.numpy(), k.numpy(), v.numpy(), mask, 1 / np.sqrt(5))
        np.testing.assert_allclose(
            autograd.scaled_dot_product_attention(q, k, v, mask=mask).numpy(), expected,
            rtol=1e-10)


def test_attention_mask_that_does_not_broadcast_is_explained():
    with pytest.raises(ValueError, match=r"mask of shape \(2, 5\) does not broadcast.*\(1, 3, 4\)"):
        autograd.scaled_dot_product_attention(np.ones((1, 3, 2)), np.ones((1, 4, 2)),
                                              np.ones((1, 4, 2)), mask=np.ones((2, 5)))


def test_lstm_states_are_the_hidden_states_the_last_one_and_the_cell_state():
    rng = np.random.default_rng(8)
    x, w, u, b = (rng.normal(size=s) for s in ((B, T, D), (D, 4 * H), (H, 4 * H), (4 * H,)))
    out = autograd.lstm(x, w, u, b)
    hs, h_last, c_last = lstm_states(out)
    ref_hs, ref_c = _lstm_reference(x, w, u, b, np.zeros((B, H)), np.zeros((B, H)))
    np.testing.assert_allclose(hs.numpy(), ref_hs, rtol=1e-10)
    np.testing.assert_allclose(h_last.numpy(), ref_hs[:, -1], rtol=1e-10)
    np.testing.assert_allclose(c_last.numpy(), ref_c, rtol=1e-10)


@pytest.mark.parametrize("masked", [False, True])
def test_lstm_states_gradcheck(masked):
    rng = np.random.default_rng(9)
    x, w, u, b = _t(rng, B, T, D), _t(rng, D, 4 * H), _t(rng, H, 4 * H), _t(rng, 4 * H)
    h0, c0 = _t(rng, B, H), _t(rng, B, H)
    mask = _mask() if masked else None

    def f(*a):
        hs, h_last, c_last = lstm_states(
            autograd.lstm(*a[:4], initial_state=a[4:], mask=mask))
        # all three views, so that their gradients add up in the one output
        return hs.sum(axis=1) * 0.5 + h_last * h_last + c_last * 3.0

    autograd.gradcheck(f, [x, w, u, b, h0, c0])
