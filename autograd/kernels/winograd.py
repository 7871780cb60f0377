"""Winograd's F(2x2, 3x3): a 3x3 convolution with stride 1 in fewer multiplications.

A 3x3 convolution computes each 2x2 block of output pixels (a *tile*) from the 4x4
block of input under it. Written directly, that is 2 * 2 * 9 = 36 multiply-adds per
input channel and output channel; Winograd's minimal filtering algorithm needs 16,
because both the input tile ``d`` and the 3x3 kernel ``g`` can first be moved into
a space where the convolution becomes an element-by-element product:

    U = G g G^T          (4x4, once per input and output channel: ``kernel_tiles``)
    V = B^T d B          (4x4, once per tile and input channel: ``input_tiles``)
    M = U * V, summed over the input channels
    Y = A^T M A          (2x2, the tile's output: ``output_tiles``)

with the constant matrices

    B^T = [[1,  0, -1,  0],     G = [[1,    0,   0  ],     A^T = [[1, 1,  1,  0],
           [0,  1,  1,  0],          [1/2,  1/2, 1/2],            [0, 1, -1, -1]]
           [0, -1,  1,  0],          [1/2, -1/2, 1/2],
           [0,  1,  0, -1]]          [0,    0,   1  ]]

The sum over input channels of ``U * V`` is, for each of the 16 positions (xi, nu)
of the 4x4 tile, a matrix product: with the tiles as rows,

    M[k] = V[k] @ U[k]      (tiles, O) = (tiles, C) @ (C, O),   k = 4 * xi + nu

so the work stays in BLAS, as in im2col + matmul (``conv.py``), with 16 products of
width C instead of one of width 9 C: 16/36 of the multiplications. The transforms
are additions only, one pass over the input and one over the output.

The backward pass is the same steps read backwards, each one's adjoint (the
transpose of a linear map):

    dM = A dY A^T                         ``output_tiles_adjoint``
    dU[k] = V[k].T @ dM[k]                summed over the tiles
    dV[k] = dM[k] @ U[k].T
    dg = G^T dU G                         ``kernel_tiles_adjoint``
    dx += B dV B^T, onto the 4x4 cells    ``input_tiles_adjoint`` (tiles overlap)

and the bias's gradient is the sum of dY, which is plane k = 5 of dM (xi = nu = 1:
row 1 of A is [1, 1], so it adds up the tile's four output gradients).

Layout. The planes ``V[k]``, ``M[k]``, ... are stored as one array (16, tiles + 1,
channels): each plane a C-contiguous matrix that BLAS reads directly. The one tile
more per plane than used keeps planes from starting at multiples of 4 KB from each
other: the transforms read or write all 16 planes at once, and 16 addresses 4 KB
apart compete for the same sets of the L1 cache; with 32 channels the planes of
256 tiles are exactly 32 KB apart, and the two input transforms ran 4-20% slower
(benchmarks/README.md, "Winograd").
The op (``ops/conv.py``) runs the tiles in blocks small enough to stay in cache
between the transform and the matmuls (``conv.winograd_tiles_per_block``).

Tiles run over the output in order: tile ``t`` is image ``t // (tiles_h * tiles_w)``,
row ``ty``, column ``tx`` of the ``tile_grid``; it covers output rows ``2 ty, 2 ty + 1``
and input rows ``2 ty - pad_top`` .. ``+ 3``. Input outside the image is zero (the
padding), output outside it is dropped (odd output sizes).

Precision: the transforms add and subtract, so results differ from im2col's in the
last bits. On a float32 32 -> 64 channel convolution both were within 1e-6 of the
float64 result (relative to its largest value; Winograd 3.0e-7, im2col 8.1e-7,
benchmarks/README.md, "Winograd"): the sums over channels are shorter here.
The op runs these kernels in float32 only (``conv.winograd_applies``); the tests
run them in float64 too.

Each Numba kernel has a NumPy twin with the same signature (``*_numpy``), used by
the tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit

B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float64)
G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float64)
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float64)


def tile_grid(out_h: int, out_w: int) -> tuple[int, int]:
    """How many 2x2 output tiles cover an (out_h, out_w) output, down and across.

    >>> tile_grid(157, 157)
    (79, 79)
    """
    return (out_h + 1) // 2, (out_w + 1) // 2


def kernel_tiles(kernel: np.ndarray) -> np.ndarray:
    """``U = G g G^T`` for each (input, output) channel pair of a (3, 3, C, O) kernel:
    a C-contiguous (16, C, O) array, plane ``k = 4 * xi + nu``.

    >>> kernel_tiles(np.ones((3, 3, 1, 1)))[:, 0, 0].reshape(4, 4)
    array([[1.  , 1.5 , 0.5 , 1.  ],
           [1.5 , 2.25, 0.75, 1.5 ],
           [0.5 , 0.75, 0.25, 0.5 ],
           [1.  , 1.5 , 0.5 , 1.  ]])
    """
    g = G.astype(kernel.dtype)
    u = np.einsum("ai,ijco,bj->abco", g, kernel, g)
    return np.ascontiguousarray(u.reshape(16, *kernel.shape[2:]))


def kernel_tiles_adjoint(du: np.ndarray) -> np.ndarray:
    """The gradient of the (3, 3, C, O) kernel from the gradient of its tiles
    (16, C, O): ``dg = G^T dU G``, the adjoint of ``kernel_tiles``."""
    g = G.astype(du.dtype)
    return np.einsum("ai,abco,bj->ijco", g, du.reshape(4, 4, *du.shape[1:]), g)


# ------------------------------------------------- one step of a transform, on rows
# Each helper applies one small matrix to four (or two) rows of channel values: the
# inputs and outputs are 1-D arrays over the channels, the loop over them innermost
# and contiguous, so the compiler vectorizes it.


@njit(cache=True, nogil=True, inline="always")
def _times_b_t(a0, a1, a2, a3, out0, out1, out2, out3):
    """out = B^T a: the input transform along one axis of a tile."""
    for c in range(a0.size):
        out0[c] = a0[c] - a2[c]
        out1[c] = a1[c] + a2[c]
        out2[c] = a2[c] - a1[c]
        out3[c] = a1[c] - a3[c]


@njit(cache=True, nogil=True, inline="always")
def _times_b(a0, a1, a2, a3, out0, out1, out2, out3):
    """out = B a (B = the transpose of B^T): ``input_tiles_adjoint`` along one axis."""
    for c in range(a0.size):
        out0[c] = a0[c]
        out1[c] = a1[c] - a2[c] + a3[c]
        out2[c] = a1[c] + a2[c] - a0[c]
        out3[c] = -a3[c]


@njit(cache=True, nogil=True, inline="always")
def _times_a_t(a0, a1, a2, a3, out0, out1):
    """out = A^T a: the output transform along one axis of a tile."""
    for c in range(a0.size):
        out0[c] = a0[c] + a1[c] + a2[c]
        out1[c] = a1[c] - a2[c] - a3[c]


@njit(cache=True, nogil=True, inline="always")
def _times_a(a0, a1, out0, out1, out2, out3):
    """out = A a (A = the transpose of A^T): ``output_tiles_adjoint`` along one axis."""
    for c in range(a0.size):
        out0[c] = a0[c]
        out1[c] = a0[c] + a1[c]
        out2[c] = a0[c] - a1[c]
        out3[c] = -a1[c]


@njit(cache=True, nogil=True, inline="always")
def _tile_origin(t, tiles_h, tiles_w):
    """(image, first output row, first output column) of tile ``t``."""
    n, rest = divmod(t, tiles_h * tiles_w)
    ty, tx = divmod(rest, tiles_w)
    return n, 2 * ty, 2 * tx


# ------------------------------------------------------------------ the four kernels


@njit(cache=True, nogil=True, error_model="numpy")
def input_tiles(x, v, t0, n_tiles, tiles_h, tiles_w, pad_top, pad_left):
    """``V = B^T d B`` for tiles ``t0 .. t0 + n_tiles`` of ``x`` (N, H, W, C): tile
    ``t0 + s`` goes to ``v[:, s, :]`` of ``v`` (16, >= n_tiles, C)."""
    h, w, channels = x.shape[1], x.shape[2], x.shape[3]
    d = np.zeros((4, 4, channels), dtype=x.dtype)  # the 4x4 input tile, zero-padded
    rows = np.empty((4, 4, channels), dtype=x.dtype)  # B^T d
    for s in range(n_tiles):
        n, oy, ox = _tile_origin(t0 + s, tiles_h, tiles_w)
        y0, x0 = oy - pad_top, ox - pad_left
        for i in range(4):  # copy the tile's cells that lie in the image; zero the rest
            for j in range(4):
                inside = 0 <= y0 + i < h and 0 <= x0 + j < w
                for c in range(channels):
                    d[i, j, c] = x[n, y0 + i, x0 + j, c] if inside else 0
        for j in range(4):  # B^T d: along the rows of each column
            _times_b_t(d[0, j], d[1, j], d[2, j], d[3, j],
                       rows[0, j], rows[1, j], rows[2, j], rows[3, j])
        for i in range(4):  # (B^T d) B: along the columns of each row
            _times_b_t(rows[i, 0], rows[i, 1], rows[i, 2], rows[i, 3],
                       v[4 * i, s], v[4 * i + 1, s], v[4 * i + 2, s], v[4 * i + 3, s])


@njit(cache=True, nogil=True, error_model="numpy")
def output_tiles(m, out, bias, relu, t0, n_tiles, tiles_h, tiles_w):
    """``Y = A^T M A`` (+ ``bias``, then ``max(Y, 0)`` if ``relu``) for tiles
    ``t0 .. t0 + n_tiles``: ``m[:, s, :]`` (16, >= n_tiles, O) is tile ``t0 + s``, written
    into ``out`` (N, out_h, out_w, O) where the tile lies inside it."""
    out_h, out_w, n_out = out.shape[1], out.shape[2], out.shape[3]
    cols = np.empty((4, 2, n_out), dtype=out.dtype)  # M A
    y = np.empty((2, 2, n_out), dtype=out.dtype)  # A^T M A
    for s in range(n_tiles):
        n, oy, ox = _tile_origin(t0 + s, tiles_h, tiles_w)
        for i in range(4):  # M A: along the columns of each row
            _times_a_t(m[4 * i, s], m[4 * i + 1, s], m[4 * i + 2, s], m[4 * i + 3, s],
                       cols[i, 0], cols[i, 1])
        for j in range(2):  # A^T (M A): along the rows of each column
            _times_a_t(cols[0, j], cols[1, j], cols[2, j], cols[3, j], y[0, j], y[1, j])
        for i in range(min(2, out_h - oy)):  # the last row and column may be outside
            for j in range(min(2, out_w - ox)):
                for o in range(n_out):
                    value = y[i, j, o] + bias[o]
                    out[n, oy + i, ox + j, o] = max(value, 0) if relu else value


@njit(cache=True, nogil=True, error_model="numpy")
def output_tiles_adjoint(grad, relu_out, relu, dm, t0, n_tiles, tiles_h, tiles_w):
    """``dM = A dY A^T`` for tiles ``t0 .. t0 + n_tiles`` of the output gradient ``grad``
    (N, out_h, out_w, O) into ``dm[:, s, :]``; with ``relu``, ``dY`` is ``grad`` where
    ``relu_out`` (the op's output) is positive, else 0 (relu's derivative)."""
    out_h, out_w, n_out = grad.shape[1], grad.shape[2], grad.shape[3]
    dy = np.zeros((2, 2, n_out), dtype=grad.dtype)  # the tile's gradient, zero outside
    rows = np.empty((4, 2, n_out), dtype=grad.dtype)  # A dY
    for s in range(n_tiles):
        n, oy, ox = _tile_origin(t0 + s, tiles_h, tiles_w)
        for i in range(2):
            for j in range(2):
                inside = oy + i < out_h and ox + j < out_w
                for o in range(n_out):
                    g = grad[n, oy + i, ox + j, o] if inside else 0
                    if relu and inside:
                        g = g if relu_out[n, oy + i, ox + j, o] > 0 else 0
                    dy[i, j, o] = g
        for j in range(2):  # A dY: along the rows of each column
            _times_a(dy[0, j], dy[1, j], rows[0, j], rows[1, j], rows[2, j], rows[3, j])
        for i in range(4):  # (A dY) A^T: along the columns of each row
            _times_a(rows[i, 0], rows[i, 1],
                     dm[4 * i, s], dm[4 * i + 1, s], dm[4 * i + 2, s], dm[4 * i + 3, s])


@njit(cache=True, nogil=True, error_model="numpy")
def input_tiles_adjoint(dv, dx, t0, n_tiles, tiles_h, tiles_w, pad_top, pad_left):
    """``dx += B dV B^T`` for tiles ``t0 .. t0 + n_tiles``: ``dv[:, s, :]`` (16, >= n_tiles,
    C) is tile ``t0 + s``; each 4x4 result is added onto the cells of ``dx`` (N, H, W, C)
    it lies on (the adjoint of ``input_tiles``: cells on the padding are dropped)."""
    h, w, channels = dx.shape[1], dx.shape[2], dx.shape[3]
    rows = np.empty((4, 4, channels), dtype=dx.dtype)  # dV B^T
    e = np.empty((4, 4, channels), dtype=dx.dtype)  # B dV B^T
    for s in range(n_tiles):
        n, oy, ox = _tile_origin(t0 + s, tiles_h, tiles_w)
        y0, x0 = oy - pad_top, ox - pad_left
        for i in range(4):  # dV B^T: along the columns of each row
            _times_b(dv[4 * i, s], dv[4 * i + 1, s], dv[4 * i + 2, s], dv[4 * i + 3, s],
                     rows[i, 0], rows[i, 1], rows[i, 2], rows[i, 3])
        for j in range(4):  # B (dV B^T): along the rows of each column
            _times_b(rows[0, j], rows[1, j], rows[2, j], rows[3, j],
                     e[0, j], e[1, j], e[2, j], e[3, j])
        for i in range(max(0, -y0), min(4, h - y0)):  # the cells inside the image
            for j in range(max(0, -x0), min(4, w - x0)):
                for c in range(channels):
                    dx[n, y0 + i, x0 + j, c] += e[i, j, c]


# ---------------------------------------------------------------- the NumPy twins


def _image_in_padded(padded, h, w, pad_top, pad_left):
    """The part of a tile-aligned padded plane that holds the image's pixels, and how
    many rows and columns of the image reach into it (a "valid" convolution's last
    rows may lie beyond every tile)."""
    rows, cols = min(h, padded.shape[1] - pad_top), min(w, padded.shape[2] - pad_left)
    return padded[:, pad_top:pad_top + rows, pad_left:pad_left + cols], rows, cols


def _padded_tiles(x, tiles_h, tiles_w, pad_top, pad_left):
    """Every 4x4 input tile of ``x`` at once: (N, tiles_h, tiles_w, 4, 4, C), zero
    where a tile reaches beyond the image."""
    n, h, w, channels = x.shape
    padded = np.zeros((n, 2 * tiles_h + 2, 2 * tiles_w + 2, channels), dtype=x.dtype)
    inside, rows, cols = _image_in_padded(padded, h, w, pad_top, pad_left)
    inside[...] = x[:, :rows, :cols]
    windows = np.lib.stride_tricks.sliding_window_view(padded, (4, 4), axis=(1, 2))
    return windows[:, ::2, ::2].transpose(0, 1, 2, 4, 5, 3)


def input_tiles_numpy(x, v, t0, n_tiles, tiles_h, tiles_w, pad_top, pad_left):
    """Twin of ``input_tiles``: ``B^T d B`` of every tile by ``einsum``."""
    d = _padded_tiles(x, tiles_h, tiles_w, pad_top, pad_left)
    b_t = B_T.astype(x.dtype)
    all_v = np.einsum("ai,ntsijc,bj->abntsc", b_t, d, b_t).reshape(16, -1, x.shape[3])
    v[:, :n_tiles] = all_v[:, t0:t0 + n_tiles]


def output_tiles_numpy(m, out, bias, relu, t0, n_tiles, tiles_h, tiles_w):
    """Twin of ``output_tiles``: ``A^T M A`` of the tiles by ``einsum``, placed into a
    tile-aligned copy of ``out`` and cropped."""
    n, out_h, out_w, n_out = out.shape
    tiled = np.zeros((n * tiles_h * tiles_w, 2, 2, n_out), dtype=out.dtype)
    a_t = A_T.astype(out.dtype)
    m4 = m[:, :n_tiles].reshape(4, 4, n_tiles, n_out)
    tiled[t0:t0 + n_tiles] = np.einsum("ai,ijto,bj->tabo", a_t, m4, a_t) + bias
    if relu:
        tiled = np.maximum(tiled, 0)
    image = tiled.reshape(n, tiles_h, tiles_w, 2, 2, n_out).transpose(0, 1, 3, 2, 4, 5)
    image = image.reshape(n, 2 * tiles_h, 2 * tiles_w, n_out)[:, :out_h, :out_w]
    done = np.zeros(n * tiles_h * tiles_w, dtype=bool)
    done[t0:t0 + n_tiles] = True  # write only the pixels of these tiles
    mask = np.repeat(np.repeat(done.reshape(n, tiles_h, tiles_w), 2, 1), 2, 2)
    mask = mask[:, :out_h, :out_w]
    out[mask] = image[mask]


def output_tiles_adjoint_numpy(grad, relu_out, relu, dm, t0, n_tiles, tiles_h, tiles_w):
    """Twin of ``output_tiles_adjoint``: ``A dY A^T`` of the tiles by ``einsum``."""
    n, out_h, out_w, n_out = grad.shape
    if relu:
        grad = np.where(relu_out > 0, grad, 0)
    tiled = np.zeros((n, 2 * tiles_h, 2 * tiles_w, n_out), dtype=grad.dtype)
    tiled[:, :out_h, :out_w] = grad
    dy = tiled.reshape(n, tiles_h, 2, tiles_w, 2, n_out).transpose(0, 1, 3, 2, 4, 5)
    dy = dy.reshape(-1, 2, 2, n_out)[t0:t0 + n_tiles]
    a = A_T.T.astype(grad.dtype)
    dm[:, :n_tiles] = np.einsum("ai,tijo,bj->abto", a, dy, a).reshape(16, n_tiles, n_out)


def input_tiles_adjoint_numpy(dv, dx, t0, n_tiles, tiles_h, tiles_w, pad_top, pad_left):
    """Twin of ``input_tiles_adjoint``: ``B dV B^T`` by ``einsum``, added into a padded
    image through the same tile windows as ``input_tiles_numpy`` reads, and cropped."""
    n, h, w, channels = dx.shape
    b = B_T.T.astype(dx.dtype)
    dv4 = dv[:, :n_tiles].reshape(4, 4, n_tiles, channels)
    e = np.zeros((n * tiles_h * tiles_w, 4, 4, channels), dtype=dx.dtype)
    e[t0:t0 + n_tiles] = np.einsum("ai,ijtc,bj->tabc", b, dv4, b)
    e = e.reshape(n, tiles_h, tiles_w, 4, 4, channels)
    padded = np.zeros((n, 2 * tiles_h + 2, 2 * tiles_w + 2, channels), dtype=dx.dtype)
    for i in range(4):  # tiles overlap: add each of the 16 cells' share in turn
        for j in range(4):
            padded[:, i:i + 2 * tiles_h:2, j:j + 2 * tiles_w:2] += e[:, :, :, i, j]
    inside, rows, cols = _image_in_padded(padded, h, w, pad_top, pad_left)
    dx[:, :rows, :cols] += inside
