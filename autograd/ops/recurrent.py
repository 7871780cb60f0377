"""Recurrent layers' cores: a whole sequence of SimpleRNN, LSTM or GRU steps as one op.

A Python op per gate per time step would cost hundreds of graph nodes per batch,
so each cell type is one ``Function`` over the whole sequence:

- the input contributions of every step, ``x @ W + b``, are one BLAS matmul
  before the loop (shape ``(batch, steps, gates * units)``);
- the loop does what must be sequential: ``h @ U`` and the gate arithmetic;
- backward walks the steps in reverse and collects the gate gradients of all
  steps, so that ``dW``, ``dU`` and ``dx`` are again single big matmuls.

Weights use Keras's layouts (gates side by side along the last axis):
SimpleRNN ``W (in, units)``; LSTM ``W (in, 4*units)`` gates ``i, f, c, o``;
GRU ``W (in, 3*units)`` gates ``z, r, h``, bias ``(2, 3*units)`` (input and
recurrent bias) when ``reset_after`` else ``(3*units,)``.

``mask`` (batch, steps) marks real steps: at a masked step the state is carried
through unchanged (as Keras does), and its gradient passes straight back.
``recurrent_mask`` (batch, units) multiplies the previous state where it enters
``h @ U`` (recurrent dropout, the same mask at every step).

Each op returns the states at every step, ``(batch, steps, units)``; the LSTM
appends its last cell state as one more step: ``(batch, steps + 1, units)``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..function import Function
from ..kernels import recurrent as recurrent_kernels
from ..kernels.arrays import as_kernel_array
from ..tensor import Tensor

# ------------------------------------------------------------------ activations
# Each activation the fused ops support, as (forward, derivative written in terms
# of the output y = f(a)): backward then needs only the saved outputs.


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # sigmoid(a) = (1 + tanh(a / 2)) / 2: never overflows, and three passes over the
    # array instead of exp/abs/where/two divisions - the LSTM's gates took ~1 ms per step
    # that way at batch 64 x 128 units, ~0.1 ms this way (equal to 1.2e-7 in float32).
    half = np.asarray(0.5, dtype=a.dtype)
    y = np.tanh(a * half)
    y += 1
    y *= half
    return y


def _hard_sigmoid(a: np.ndarray) -> np.ndarray:
    return np.clip(a / 6.0 + 0.5, 0.0, 1.0).astype(a.dtype, copy=False)  # Keras 3: relu6(x+3)/6


ACTIVATIONS = {
    "tanh": (np.tanh, lambda y: 1.0 - y * y),
    "sigmoid": (_sigmoid, lambda y: y * (1.0 - y)),
    "hard_sigmoid": (_hard_sigmoid, lambda y: ((y > 0) & (y < 1)) / 6.0),
    "relu": (lambda a: np.maximum(a, 0), lambda y: (y > 0).astype(y.dtype)),
    "linear": (lambda a: a, lambda y: np.ones_like(y)),
}


def _act(name: str) -> tuple:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"recurrent ops: activation {name!r} has no fused version; use one of "
            f"{', '.join(ACTIVATIONS)} (or wrap your own cell in layers.RNN, which steps it "
            "with ordinary ops)."
        )
    return ACTIVATIONS[name]


def _prepare(x, h0, mask, recurrent_mask, units):
    """Zeros for a missing initial state; a float (batch, steps, 1) step mask."""
    batch = x.shape[0]
    if h0 is None:
        h0 = np.zeros((batch, units), dtype=x.dtype)
    keep = None if mask is None else np.asarray(mask, dtype=bool)[:, :, None].astype(x.dtype)
    rec = None if recurrent_mask is None else recurrent_mask.astype(x.dtype, copy=False)
    return h0, keep, rec


def _carry(keep_t, new, old):
    """The new state at real steps, the old one at masked steps."""
    return new if keep_t is None else np.where(keep_t > 0, new, old)


# ------------------------------------------------------------------ SimpleRNN


class SimpleRNNSequence(Function):
    """``h_t = activation(x_t @ W + b + h_{t-1} @ U)`` for every step."""

    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, mask, recurrent_mask,
                activation="tanh"):
        units = recurrent_kernel.shape[0]
        f, df = _act(activation)
        h, keep, rec = _prepare(x, h0, mask, recurrent_mask, units)
        xw = x @ kernel
        if bias is not None:
            xw += bias
        steps = x.shape[1]
        hs = np.empty(x.shape[:2] + (units,), dtype=xw.dtype)
        h_prev = np.empty_like(hs)  # h_{t-1} as it entered h @ U (after recurrent dropout)
        for t in range(steps):
            h_in = h if rec is None else h * rec
            h_prev[:, t] = h_in
            h_new = f(xw[:, t] + h_in @ recurrent_kernel)
            h = _carry(None if keep is None else keep[:, t], h_new, h)
            hs[:, t] = h
        ctx.save_for_backward(x, kernel, recurrent_kernel, hs, h_prev, keep, rec)
        ctx.df, ctx.has_bias, ctx.has_h0 = df, bias is not None, h0 is not None
        return hs

    @staticmethod
    def backward(ctx, grad):
        x, kernel, recurrent_kernel, hs, h_prev, keep, rec = ctx.saved_tensors
        da_all = np.empty_like(hs)  # gradient at the pre-activation of every step
        dh_next = np.zeros_like(hs[:, 0])
        for t in reversed(range(hs.shape[1])):
            dh, dh_skip = _split_masked(grad[:, t] + dh_next, keep, t)
            da = dh * ctx.df(hs[:, t])
            da_all[:, t] = da
            dh_next = da @ recurrent_kernel.T
            if rec is not None:
                dh_next *= rec
            if dh_skip is not None:
                dh_next += dh_skip
        dx, dw = _sequence_grads(ctx, x, kernel, da_all)
        du = _rows(h_prev).T @ _rows(da_all) if ctx.needs_input_grad[2] else None
        db = _rows(da_all).sum(axis=0) if ctx.has_bias else None
        return dx, dw, du, db, (dh_next if ctx.has_h0 else None), None, None


def _split_masked(dh, keep, t):
    """At a masked step the state was copied: its gradient goes straight to the
    previous state (the second value) instead of through the cell."""
    if keep is None:
        return dh, None
    return dh * keep[:, t], dh * (1.0 - keep[:, t])


def _rows(a):
    """(batch, steps, n) -> (batch * steps, n): all steps as rows of one matmul."""
    return a.reshape(-1, a.shape[-1])


def _sequence_grads(ctx, x, kernel, dgates):
    """dx and dW of ``x @ W`` from the gate gradients of all steps, two matmuls."""
    need = ctx.needs_input_grad
    dx = dgates @ kernel.T if need[0] else None
    dw = _rows(x).T @ _rows(dgates) if need[1] else None
    return dx, dw


# ------------------------------------------------------------------ LSTM


class LSTMSequence(Function):
    """Long short-term memory, gates ``i, f, c, o`` (Keras's order)::

        z = x_t @ W + h_{t-1} @ U + b          split into four blocks of `units`
        i = σ(z_i)    f = σ(z_f)    g = tanh(z_c)    o = σ(z_o)
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    (σ is the recurrent activation, tanh the activation; both configurable.)
    Backward is ``kernels/recurrent.py``'s ``lstm_backward_step`` per step, whose
    docstring has its equations; other activations than σ and tanh use its NumPy twin.
    """

    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, c0, mask, recurrent_mask,
                activation="tanh", recurrent_activation="sigmoid"):
        n = recurrent_kernel.shape[0]
        act, _ = _act(activation)
        ract, _ = _act(recurrent_activation)
        h, keep, rec = _prepare(x, h0, mask, recurrent_mask, n)
        c = np.zeros_like(h) if c0 is None else c0
        # With σ and tanh (fused), one tanh call per step does all four gates:
        # σ(a) = (1 + tanh(a / 2)) / 2, so halve the σ gates' columns of W, U and b
        # (exact: a power of two), apply tanh to the whole z, and let a kernel do the
        # rest of the gate arithmetic (kernels/recurrent.py). Other activations: NumPy.
        fused = (activation == "tanh" and recurrent_activation == "sigmoid"
                 and np.result_type(x, kernel) in (np.float32, np.float64))
        scale = _lstm_half_sigmoid_columns(n, recurrent_kernel.dtype) if fused else None
        u = recurrent_kernel if scale is None else recurrent_kernel * scale
        xw = x @ (kernel if scale is None else kernel * scale)
        if bias is not None:
            xw += bias if scale is None else bias * scale
        batch, steps = x.shape[:2]
        out = np.empty((batch, steps + 1, n), dtype=xw.dtype)  # h_1..h_T, then c_T
        gates = np.empty((batch, steps, 4 * n), dtype=xw.dtype)  # i, f, g, o after activation
        cs = np.empty((batch, steps + 1, n), dtype=xw.dtype)  # c_0..c_T
        tanh_cs = np.empty((batch, steps, n), dtype=xw.dtype)
        h_prev = np.empty((batch, steps, n), dtype=xw.dtype)
        hu = np.empty((batch, 4 * n), dtype=xw.dtype)
        c_new = np.empty((batch, n), dtype=xw.dtype)
        cs[:, 0] = c
        for t in range(steps):
            h_in = h if rec is None else h * rec
            h_prev[:, t] = h_in
            z = hu
            np.matmul(h_in, u, out=z)
            np.add(xw[:, t], z, out=z)
            if fused:  # the kernel: i, f, o = (1 + tanh) / 2, c_t = f * c_{t-1} + i * g
                np.tanh(z, out=z)
                recurrent_kernels.lstm_forward_step(t, z, cs, gates, c_new)
            else:
                gate = gates[:, t]
                gate[:, :n], gate[:, n:2 * n] = ract(z[:, :n]), ract(z[:, n:2 * n])
                gate[:, 2 * n:3 * n], gate[:, 3 * n:] = act(z[:, 2 * n:3 * n]), ract(z[:, 3 * n:])
                np.multiply(gate[:, n:2 * n], c, out=c_new)  # c_t = f * c_{t-1} + i * g
                c_new += gate[:, :n] * gate[:, 2 * n:3 * n]
            o = gates[:, t, 3 * n:]
            tanh_c = tanh_cs[:, t]
            if fused:
                np.tanh(c_new, out=tanh_c)
            else:
                tanh_c[...] = act(c_new)
            if keep is None:
                cs[:, t + 1] = c_new
                c, h = cs[:, t + 1], out[:, t]
                np.multiply(o, tanh_c, out=h)  # h_t = o * tanh(c_t)
            else:
                keep_t = keep[:, t]
                h, c = _carry(keep_t, o * tanh_c, h), _carry(keep_t, c_new, c)
                cs[:, t + 1], out[:, t] = c, h
        out[:, steps] = cs[:, steps]
        ctx.save_for_backward(x, kernel, recurrent_kernel, gates, cs, tanh_cs, h_prev, keep, rec)
        ctx.fused, ctx.masked = fused, keep is not None
        ctx.dact, ctx.dract = _act(activation)[1], _act(recurrent_activation)[1]
        ctx.has_bias, ctx.has_h0, ctx.has_c0 = bias is not None, h0 is not None, c0 is not None
        return out

    @staticmethod
    def backward(ctx, grad):
        x, kernel, recurrent_kernel, gates, cs, tanh_cs, h_prev, keep, rec = ctx.saved_tensors
        batch, steps = x.shape[:2]
        grad = as_kernel_array(grad, gates.dtype)
        n = cs.shape[2]
        keep = (np.ones((batch, steps), gates.dtype) if keep is None
                else as_kernel_array(keep[:, :, 0], gates.dtype))
        if ctx.fused:
            step = recurrent_kernels.lstm_backward_step
        else:
            step = functools.partial(recurrent_kernels.lstm_backward_step_numpy,
                                     dact=ctx.dact, dract=ctx.dract)
        dgates = np.empty_like(gates)  # gradient at the pre-activations z of every step
        dh_next = np.zeros((batch, n), gates.dtype)
        dh_skip = np.empty_like(dh_next)  # the part that skipped masked steps
        dc = grad[:, steps].copy()  # the last cell state is an output too
        u_t = recurrent_kernel.T
        for t in reversed(range(steps)):
            step(t, grad, dh_next, dc, gates, cs, tanh_cs, keep, dgates, dh_skip)
            np.matmul(dgates[:, t], u_t, out=dh_next)
            if rec is not None:
                dh_next *= rec
            if ctx.masked:
                dh_next += dh_skip
        dx, dw = _sequence_grads(ctx, x, kernel, dgates)
        du = _rows(h_prev).T @ _rows(dgates) if ctx.needs_input_grad[2] else None
        db = _rows(dgates).sum(axis=0) if ctx.has_bias else None
        return (dx, dw, du, db, dh_next if ctx.has_h0 else None,
                dc if ctx.has_c0 else None, None, None)


def _lstm_half_sigmoid_columns(n: int, dtype) -> np.ndarray:
    """0.5 for the columns of the σ gates i, f, o; 1 for the tanh gate's."""
    scale = np.full(4 * n, 0.5, dtype=dtype)
    scale[2 * n:3 * n] = 1
    return scale


# ------------------------------------------------------------------ GRU


class GRUSequence(Function):
    """Gated recurrent unit, gates ``z, r, h`` (Keras's order)::

        z = σ(x_t W_z + h_{t-1} U_z + b_z)                update gate
        r = σ(x_t W_r + h_{t-1} U_r + b_r)                reset gate
        reset_after=True (Keras 3 default, cuDNN's form):
            ĥ = tanh(x_t W_h + b_h + r * (h_{t-1} U_h + b'_h))
        reset_after=False (the original paper):
            ĥ = tanh(x_t W_h + b_h + (r * h_{t-1}) U_h)
        h_t = z * h_{t-1} + (1 - z) * ĥ

    With ``reset_after`` the bias is ``(2, 3*units)``: row 0 is added to ``x @ W``,
    row 1 to ``h @ U``.
    """

    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, mask, recurrent_mask,
                activation="tanh", recurrent_activation="sigmoid", reset_after=True):
        n = recurrent_kernel.shape[0]
        act, _ = _act(activation)
        ract, _ = _act(recurrent_activation)
        h, keep, rec = _prepare(x, h0, mask, recurrent_mask, n)
        xw = x @ kernel
        b_rec = None
        if bias is not None:
            if reset_after:
                xw += bias[0]
                b_rec = bias[1]
            else:
                xw += bias
        batch, steps = x.shape[:2]
        hs = np.empty((batch, steps, n), dtype=xw.dtype)
        gates = np.empty((batch, steps, 3 * n), dtype=xw.dtype)  # z, r, ĥ after activation
        # reset_after: h_{t-1} U_h + b'_h; otherwise r * h_{t-1} (what U_h multiplied)
        inner = np.empty((batch, steps, n), dtype=xw.dtype)
        h_prev = np.empty((batch, steps, n), dtype=xw.dtype)
        h_carry = np.empty((batch, steps, n), dtype=xw.dtype)  # h_{t-1}, not dropped out
        u_zr, u_h = recurrent_kernel[:, :2 * n], recurrent_kernel[:, 2 * n:]
        for t in range(steps):
            h_in = h if rec is None else h * rec
            h_prev[:, t], h_carry[:, t] = h_in, h
            if reset_after:
                hu = h_in @ recurrent_kernel
                if b_rec is not None:
                    hu += b_rec
                z = ract(xw[:, t, :n] + hu[:, :n])
                r = ract(xw[:, t, n:2 * n] + hu[:, n:2 * n])
                inner[:, t] = hu[:, 2 * n:]
                hh = act(xw[:, t, 2 * n:] + r * hu[:, 2 * n:])
            else:
                hu = h_in @ u_zr
                z = ract(xw[:, t, :n] + hu[:, :n])
                r = ract(xw[:, t, n:2 * n] + hu[:, n:])
                inner[:, t] = r * h_in
                hh = act(xw[:, t, 2 * n:] + inner[:, t] @ u_h)
            h_new = z * h + (1.0 - z) * hh
            h = _carry(None if keep is None else keep[:, t], h_new, h)
            gates[:, t, :n], gates[:, t, n:2 * n], gates[:, t, 2 * n:] = z, r, hh
            hs[:, t] = h
        ctx.save_for_backward(x, kernel, recurrent_kernel, gates, inner, h_prev, h_carry, keep,
                              rec)
        ctx.dact, ctx.dract = _act(activation)[1], _act(recurrent_activation)[1]
        ctx.reset_after, ctx.has_bias, ctx.has_h0 = reset_after, bias is not None, h0 is not None
        return hs

    @staticmethod
    def backward(ctx, grad):
        x, kernel, recurrent_kernel, gates, inner, h_prev, h_carry, keep, rec = ctx.saved_tensors
        n = recurrent_kernel.shape[0]
        steps = x.shape[1]
        reset_after = ctx.reset_after
        dx_gates = np.empty_like(gates)  # gradient at x @ W + b, every step
        du_gates = np.empty_like(gates)  # gradient at the products with U, every step
        dh_next = np.zeros_like(h_carry[:, 0])
        u_zr, u_h = recurrent_kernel[:, :2 * n], recurrent_kernel[:, 2 * n:]
        for t in reversed(range(steps)):
            z, r, hh = gates[:, t, :n], gates[:, t, n:2 * n], gates[:, t, 2 * n:]
            dh, dh_skip = _split_masked(grad[:, t] + dh_next, keep, t)
            da_h = dh * (1.0 - z) * ctx.dact(hh)
            da_z = dh * (h_carry[:, t] - hh) * ctx.dract(z)
            dx_t, du_t = dx_gates[:, t], du_gates[:, t]
            dx_t[:, :n] = du_t[:, :n] = da_z
            dx_t[:, 2 * n:] = da_h
            if reset_after:  # ĥ = tanh(xW_h + r * (h U_h + b'_h))
                da_r = da_h * inner[:, t] * ctx.dract(r)
                du_t[:, 2 * n:] = da_h * r
                dx_t[:, n:2 * n] = du_t[:, n:2 * n] = da_r
                d_in = du_t @ recurrent_kernel.T
            else:  # ĥ = tanh(xW_h + (r * h) U_h)
                d_rh = da_h @ u_h.T
                da_r = d_rh * h_prev[:, t] * ctx.dract(r)
                du_t[:, 2 * n:] = da_h
                dx_t[:, n:2 * n] = du_t[:, n:2 * n] = da_r
                d_in = du_t[:, :2 * n] @ u_zr.T + d_rh * r
            if rec is not None:
                d_in *= rec
            dh_next = dh * z + d_in  # h_t = z * h_{t-1} + ..., and h_{t-1} inside the gates
            if keep is not None:
                dh_next += dh_skip
        dx, dw = _sequence_grads(ctx, x, kernel, dx_gates)
        du = db = None
        if ctx.needs_input_grad[2]:
            rows = _rows(du_gates)
            if reset_after:
                du = _rows(h_prev).T @ rows
            else:  # U_h multiplied r * h_{t-1}, the other blocks h_{t-1}
                du = np.concatenate([_rows(h_prev).T @ rows[:, :2 * n],
                                     _rows(inner).T @ rows[:, 2 * n:]], axis=1)
        if ctx.has_bias:
            db_x = _rows(dx_gates).sum(axis=0)
            db = np.stack([db_x, _rows(du_gates).sum(axis=0)]) if reset_after else db_x
        return dx, dw, du, db, (dh_next if ctx.has_h0 else None), None, None


# ------------------------------------------------------------------ functions


def simple_rnn(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any = None,
               initial_state: Any = None, mask: Any = None, recurrent_mask: Any = None,
               activation: str = "tanh") -> Tensor:
    """Every state of a simple RNN over ``x`` (batch, steps, features).

    >>> import autograd, numpy as np
    >>> x = autograd.ones(2, 5, 3)
    >>> w, u = autograd.ones(3, 4) * 0.1, autograd.zeros(4, 4)
    >>> autograd.simple_rnn(x, w, u).shape
    (2, 5, 4)
    """
    _check(x, kernel, recurrent_kernel, 1, "simple_rnn", mask)
    return SimpleRNNSequence.apply(x, kernel, recurrent_kernel, bias, initial_state,
                                   _array(mask), _array(recurrent_mask), activation=activation)


def lstm(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any = None,
         initial_state: Any = None, mask: Any = None, recurrent_mask: Any = None,
         activation: str = "tanh", recurrent_activation: str = "sigmoid") -> Tensor:
    """Every hidden state of an LSTM over ``x``, then the last cell state:
    ``(batch, steps + 1, units)``. ``initial_state`` is ``(h0, c0)`` or None.

    >>> import autograd
    >>> out = autograd.lstm(autograd.ones(2, 5, 3), autograd.ones(3, 16) * 0.1,
    ...                     autograd.zeros(4, 16))
    >>> out.shape  # 5 hidden states and the last cell state
    (2, 6, 4)
    """
    _check(x, kernel, recurrent_kernel, 4, "lstm", mask)
    h0, c0 = (None, None) if initial_state is None else initial_state
    return LSTMSequence.apply(x, kernel, recurrent_kernel, bias, h0, c0, _array(mask),
                              _array(recurrent_mask), activation=activation,
                              recurrent_activation=recurrent_activation)


def lstm_states(out: Tensor) -> tuple:
    """``lstm``'s output split into (every hidden state, the last one, the last cell state).

    Three views of ``out``; their backward writes each gradient into its place
    instead of going through ``getitem``, whose ``np.add.at`` (right for repeated
    indices, which these are not) took ~6 ms at batch 64 x 50 steps x 128 units.

    >>> import autograd
    >>> out = autograd.lstm(autograd.ones(2, 5, 3), autograd.ones(3, 16) * 0.1,
    ...                     autograd.zeros(4, 16))
    >>> [t.shape for t in lstm_states(out)]
    [(2, 5, 4), (2, 4), (2, 4)]
    """
    steps = out.shape[1] - 1
    return (TimeSteps.apply(out, index=slice(0, steps)), TimeSteps.apply(out, index=steps - 1),
            TimeSteps.apply(out, index=steps))


class TimeSteps(Function):
    """``a[:, index]`` for an int or a slice ``index`` of the time axis: each element
    is taken at most once, so backward is a plain assignment."""

    @staticmethod
    def forward(ctx, a, *, index):
        ctx.shape, ctx.index = a.shape, index
        return a[:, index]

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        out[:, ctx.index] = grad
        return out


def gru(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any = None,
        initial_state: Any = None, mask: Any = None, recurrent_mask: Any = None,
        activation: str = "tanh", recurrent_activation: str = "sigmoid",
        reset_after: bool = True) -> Tensor:
    """Every state of a GRU over ``x`` (batch, steps, features).

    >>> import autograd
    >>> autograd.gru(autograd.ones(2, 5, 3), autograd.ones(3, 12) * 0.1,
    ...              autograd.zeros(4, 12)).shape
    (2, 5, 4)
    """
    _check(x, kernel, recurrent_kernel, 3, "gru", mask)
    return GRUSequence.apply(x, kernel, recurrent_kernel, bias, initial_state, _array(mask),
                             _array(recurrent_mask), activation=activation,
                             recurrent_activation=recurrent_activation,
                             reset_after=reset_after)


def _array(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.data
    return value


def _shape(a: Any) -> tuple:
    return a.shape if isinstance(a, Tensor) else np.shape(a)


def _check(x: Any, kernel: Any, recurrent_kernel: Any, gates: int, op: str, mask: Any) -> None:
    xs, ws, us = _shape(x), _shape(kernel), _shape(recurrent_kernel)
    if len(xs) != 3:
        raise ValueError(
            f"{op}: the input must be 3-D (batch, steps, features), got shape {xs}. "
            "A (batch, features) input has no time axis: add one with x[:, None, :] "
            "or reshape to (batch, steps, features_per_step)."
        )
    if len(us) != 2 or us[1] != gates * us[0]:
        raise ValueError(
            f"{op}: the recurrent kernel must have shape (units, {gates} * units), got {us}.")
    if len(ws) != 2 or ws[0] != xs[2] or ws[1] != us[1]:
        raise ValueError(
            f"{op}: the kernel must have shape ({xs[2]}, {us[1]}) for inputs with {xs[2]} "
            f"features and {us[0]} units, got {ws}."
        )
    if mask is not None and tuple(_shape(mask)) != tuple(xs[:2]):
        raise ValueError(
            f"{op}: the mask must have shape (batch, steps) = {tuple(xs[:2])}, one flag per "
            f"time step, got {tuple(_shape(mask))}."
        )
