"""The LSTM cell's gate arithmetic, one step at a time, for ``LSTMSequence`` in
``ops/recurrent.py``: ``lstm_forward_step`` and ``lstm_backward_step``.

Why kernels: a step is a dozen (forward) to twenty (backward) elementwise NumPy
calls on (batch, units) slices, each a pass over memory with a temporary. At
batch 64 x 128 units, backward's took 0.145 ms of CPU per step (more than the
step's 0.064 ms ``dz @ U.T``), this loop 0.073 ms; forward's gate and cell-state
calls 0.055 ms, its loop 0.010 ms (benchmarks/README.md, "Sequences"). The tanh calls stay
in NumPy, whose tanh is vectorized where Numba's scalar tanh is not (without
Intel SVML: 6x slower): forward applies ``np.tanh`` to all four gate blocks at
once, the σ gates' pre-activations halved since σ(a) = (1 + tanh(a/2)) / 2, and
``lstm_forward_step`` takes it from there.

Backward's equations, with the gates ``i, f, g, o`` saved by forward (after their
activations) and ``k`` = 1 at a real step, 0 at a masked one (the state was
copied, so its gradient skips the cell)::

    dh = (grad_h_t + dh_next) * k         gradient at h_t = o * tanh(c_t)
    dc = dc_next * k + dh * o * tanh'(c_t)   c_t reaches the loss directly and via h_t
    dz_i = dc * g * σ'(i)                 through c_t = f * c_{t-1} + i * g
    dz_f = dc * c_{t-1} * σ'(f)
    dz_g = dc * i * tanh'(g)
    dz_o = dh * tanh(c_t) * σ'(o)         through h_t = o * tanh(c_t)
    dc_{t-1} = dc * f  (+ dc_next * (1 - k))

with the derivatives written in terms of the outputs: ``σ'(y) = y (1 - y)``,
``tanh'(y) = 1 - y²``. The caller then forms ``dh_{t-1} = dz @ U.T`` (BLAS) and
adds the skipped part ``(grad_h_t + dh_next) * (1 - k)``.

>>> import numpy as np
>>> gates = np.array([[[0.5, 0.5, 0.0, 0.5]]])   # i, f, g, o of one step
>>> cs, tanh_cs = np.zeros((1, 2, 1)), np.zeros((1, 1, 1))
>>> grad, dh_next, dc = np.ones((1, 2, 1)), np.zeros((1, 1)), np.ones((1, 1))
>>> dz, dh_skip = np.empty((1, 1, 4)), np.empty((1, 1))
>>> lstm_backward_step(0, grad, dh_next, dc, gates, cs, tanh_cs, np.ones((1, 1)), dz, dh_skip)
>>> dz[0, 0]   # dc_t = 1 + 1 * 0.5 * (1 - 0²) = 1.5; dz_g = 1.5 * 0.5 * (1 - 0²)
array([0.  , 0.  , 0.75, 0.  ])
>>> dc   # the gradient at c_{t-1}: dc_t * f
array([[0.75]])
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def lstm_forward_step(t, tz, cs, gates, c_new):
    """Step ``t`` of LSTM forward after ``tz = tanh`` of the halved σ blocks and the
    tanh block, ``(batch, 4n)`` in the order i, f, g, o::

        i, f, o = (1 + tz_i) / 2, ...    g = tz_g    c_new = f * c_{t-1} + i * g

    Writes ``gates[:, t]`` (batch, steps, 4n) and ``c_new`` (batch, n); reads
    ``c_{t-1} = cs[:, t]`` (batch, steps + 1, n). All C-contiguous, one float dtype.
    """
    batch, n = c_new.shape
    one, half = c_new.dtype.type(1.0), c_new.dtype.type(0.5)
    for b in range(batch):
        # Row views and a select instead of block loops: LLVM vectorizes this (~10 us a
        # step at 64 x 128, against 28 us indexing the 3-D arrays and 16 us block loops).
        z, gate, c_prev, c = tz[b], gates[b, t], cs[b, t], c_new[b]
        for j in range(4 * n):
            is_g = j >= 2 * n and j < 3 * n
            gate[j] = z[j] if is_g else (z[j] + one) * half  # g stays tanh; i, f, o σ
        for j in range(n):
            c[j] = gate[n + j] * c_prev[j] + gate[j] * gate[2 * n + j]


def lstm_forward_step_numpy(t, tz, cs, gates, c_new):
    """Twin of ``lstm_forward_step``."""
    n = c_new.shape[1]
    g = gates[:, t]
    g[...] = tz
    for sigma in (g[:, :2 * n], g[:, 3 * n:]):  # i and f, then o
        sigma += 1
        sigma *= 0.5
    c_new[...] = g[:, n:2 * n] * cs[:, t] + g[:, :n] * g[:, 2 * n:3 * n]


@njit(cache=True, nogil=True, error_model="numpy")
def lstm_backward_step(t, grad, dh_next, dc, gates, cs, tanh_cs, keep, dz, dh_skip):
    """Step ``t`` of LSTM backward with sigmoid gates and tanh, in place.

    Arrays (all C-contiguous, one float dtype): ``grad (batch, steps + 1, n)`` the
    gradient at the op's output; ``dh_next (batch, n)`` the gradient reaching h_t
    from step t + 1; ``dc (batch, n)`` the gradient at c_t, replaced by the one at
    c_{t-1}; ``gates (batch, steps, 4n)``, ``cs (batch, steps + 1, n)`` (c_0..c_T),
    ``tanh_cs (batch, steps, n)`` as saved by forward; ``keep (batch, steps)`` 1 or 0.
    Writes ``dz[:, t]`` (batch, steps, 4n) and ``dh_skip (batch, n)``.
    """
    batch, n = dc.shape
    one = dc.dtype.type(1.0)  # a float64 literal would turn float32 arithmetic into float64
    for b in range(batch):
        k = keep[b, t]
        for j in range(n):
            i = gates[b, t, j]
            f = gates[b, t, n + j]
            g = gates[b, t, 2 * n + j]
            o = gates[b, t, 3 * n + j]
            tanh_c = tanh_cs[b, t, j]
            dh_in = grad[b, t, j] + dh_next[b, j]
            dh = dh_in * k
            dc_t = dc[b, j] * k + dh * o * (one - tanh_c * tanh_c)
            dz[b, t, j] = dc_t * g * (i * (one - i))
            dz[b, t, n + j] = dc_t * cs[b, t, j] * (f * (one - f))
            dz[b, t, 2 * n + j] = dc_t * i * (one - g * g)
            dz[b, t, 3 * n + j] = dh * tanh_c * (o * (one - o))
            dc[b, j] = dc_t * f + dc[b, j] * (one - k)
            dh_skip[b, j] = dh_in * (one - k)


def _sigmoid_derivative(y):
    return y * (1.0 - y)


def _tanh_derivative(y):
    return 1.0 - y * y


def lstm_backward_step_numpy(t, grad, dh_next, dc, gates, cs, tanh_cs, keep, dz, dh_skip, *,
                             dact=_tanh_derivative, dract=_sigmoid_derivative):
    """Twin of ``lstm_backward_step``; with other ``dact``/``dract`` (derivatives in
    terms of the activation's output) it is the backward of any other activations."""
    n = dc.shape[1]
    i, f, g, o = (gates[:, t, :n], gates[:, t, n:2 * n], gates[:, t, 2 * n:3 * n],
                  gates[:, t, 3 * n:])
    tanh_c, k = tanh_cs[:, t], keep[:, t, None]
    dh_in = grad[:, t] + dh_next
    dh = dh_in * k
    dc_t = dc * k + dh * o * dact(tanh_c)
    dz[:, t, :n] = dc_t * g * dract(i)
    dz[:, t, n:2 * n] = dc_t * cs[:, t] * dract(f)
    dz[:, t, 2 * n:3 * n] = dc_t * i * dact(g)
    dz[:, t, 3 * n:] = dh * tanh_c * dract(o)
    dc[...] = dc_t * f + dc * (1.0 - k)
    dh_skip[...] = dh_in * (1.0 - k)
