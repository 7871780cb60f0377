"""What convolution needs from the kernels: the column matrix, one block at a time
(and when to use Winograd's F(2x2, 3x3) instead).

The op itself - ``autograd/ops/conv.py`` - states the math. With ``x`` (N, H, W, C),
a (kh, kw, C, O) ``kernel`` (the Keras layout), ``P = N * out_h * out_w`` output
pixels and ``K = kh * kw * C`` input values under each window, it is

    forward    Y[P, O] = cols[P, K] @ kernel[K, O]  (+ bias)
    backward   dkernel = cols.T @ dY,   dx = col2im(dY @ kernel.T),   dbias = sum of dY

where ``cols = im2col(x)`` is the column matrix (``kernels/im2col.py``). This file
supplies it, as ``ColumnMatrix``:

- **in blocks.** The whole matrix is ``kh * kw`` times larger than the input (it
  can be hundreds of MB), so it is handed out one block of rows at a time, each
  block small enough to stay in the CPU caches between im2col filling it and
  the matmul reading it (``TILE_BYTES``), in a reused scratch buffer
  (``workspace.py``).
- **with a column of ones, as an option.** The bias is the weight of one more
  input that is always 1: with a last column of ones, ``block @ [kernel; bias]``
  adds the bias inside the forward matmul, and ``block.T @ dY`` returns
  ``[dkernel; dbias]`` - its last row is the bias's gradient - in the backward.
  That saves a separate pass over the output.
- **kept whole, as an option.** For inputs with few channels im2col copies short
  runs and costs much per byte, so when the kernel's gradient will be wanted and
  the matrix is small (``keep_column_matrix``), forward keeps the whole matrix
  and backward reads it instead of rebuilding it.
- **filled transposed, for one to three input channels.** There a row of the
  matrix is copied in runs of only ``kw * C`` values (3 to 9 for a 3x3 kernel),
  which costs im2col far more per byte than the matmul; filled as its transpose
  (K, P), each kernel cell is one strided copy of the whole input
  (``im2col_transposed``). The transposed matrix
  is made whole and kept, when it is small (``transposed_column_matrix``); the
  blocks handed out are rows of its transpose, a layout BLAS reads directly.

For a 3x3 kernel with stride 1 there is a cheaper way, Winograd's F(2x2, 3x3)
(``winograd.py``): the op uses it for float32 inputs with at least
``WINOGRAD_MIN_CHANNELS`` channels (``winograd_applies``), in blocks of tiles sized
here (``winograd_tiles_per_block``).

Why im2col + BLAS and not a direct convolution loop, even for 1-3 channels? It
was measured and lost (benchmarks/README.md): Numba cannot keep the O output
accumulators of a pixel in registers, so each of the K updates loads and stores
them.

Threads: the batch runs in two lanes of images (``lanes.py``), the caller's thread
and one worker, each lane with its own column matrix and one-thread matmuls
(``conv_lanes``). Threaded OpenBLAS over the whole batch, the policy before, lost to
it on this project's 2-core VM (benchmarks/README.md, "Convolutions in lanes"): the
serial im2col and col2im between the matmuls left one core idle, and two OpenBLAS
threads fed by a copy on the other core sometimes ran the 159x159x32 forward at a
third of their speed. With lanes, the copies run on both cores and the two matmuls
never wait for each other. So the first convolution in lanes holds OpenBLAS at one
thread for the rest of the process (``threads.hold_one_blas_thread``): an idle
OpenBLAS thread spins for 0.1 s after each threaded call, on the core that the
second lane needs. Results depend on the batch only, not on the machine: each lane's
matmuls run on one thread, and the kernel's gradient is the lanes' sum, in lane
order. Small convolutions (``LANE_MIN_WORK``) stay in one lane; so does every
convolution when the BLAS's thread count is not ours to set.
"""

from __future__ import annotations

import numpy as np

from .geometry import Window
from .im2col import as_words, col2im_rows, im2col_rows, im2col_transposed
from .lanes import image_lanes
from .threads import hold_one_blas_thread
from .workspace import scratch

# One block of the column matrix is about TILE_BYTES: blocks that stay in the L2/L3
# caches between the fill and the matmul are fast, larger ones are not; below
# MIN_TILE_ROWS rows the per-call cost of BLAS shows; with few channels rows are
# cheap and very tall blocks slowed the forward pass. (Measurements: benchmarks/README.md.)
TILE_BYTES = 1536 * 1024
MIN_TILE_ROWS = 256
MAX_TILE_ROWS = 8192

# Memory for time: keep the whole column matrix from forward for backward only
# when it is small and the input has few channels (short, expensive im2col runs);
# with many channels, or a big matrix, rebuilding blocks in cache was faster.
KEEP_COLS_BYTES = 16 * 1024 * 1024
KEEP_COLS_MAX_CHANNELS = 4

# One to three input channels (a grey or a colour image): fill the whole matrix
# transposed, up to the same size as a kept one. (benchmarks/README.md, "One to three
# input channels"; C = 3 first measured 0.86x and 1.15x forward, then 0.50-0.91x in four runs.)
TRANSPOSED_COLS_BYTES = KEEP_COLS_BYTES
TRANSPOSED_MAX_CHANNELS = 3


# Below this much work (output pixels times K) a convolution stays in one lane. With
# the limit at 1,000,000 instead, the MNIST convnet's first layer (128x28x28x1 -> 32,
# about 780,000) ran in one lane and its training step took 20.0-23.2 ms against
# 18.9-19.5 (benchmarks/README.md, "Convolutions in lanes").
LANE_MIN_WORK = 200_000

# Winograd's F(2x2, 3x3) (winograd.py) for float32 3x3 convolutions with stride 1
# and at least this many input channels: with 4, its 16 matmuls of width C are too
# narrow for BLAS to run fast, and im2col's one matmul of width 9 C won; from 8 on,
# Winograd (benchmarks/README.md, "Winograd"). A block of tiles holds 16 planes,
# WINOGRAD_TILE_BYTES in all (per array), to stay in the L2 cache between the
# transform and the matmuls: 256 KB and 1-2 MB were slower. float64 keeps im2col:
# compiling Winograd's four kernels for one dtype only keeps the cold warmup near
# the 6 s target (5.8-6.6 s; 7.7-8.7 s with both), and float64 is the dtype of checks, not of
# speed. (The tests run these kernels in float64 too.)
WINOGRAD_MIN_CHANNELS = 8
WINOGRAD_TILE_BYTES = 512 * 1024


def conv_lanes(n_images: int, work: int) -> list[slice]:
    """The lanes of a convolution's batch: two halves of the images when the work is
    large enough and OpenBLAS can be held at one thread (``threads.hold_one_blas_thread``),
    else one lane. Each lane runs its own one-thread matmuls ("Threads" above).

    >>> conv_lanes(1, 10**9)  # one image: nothing to split
    [slice(0, 1, None)]
    """
    lanes = image_lanes(n_images, work, min_work=LANE_MIN_WORK)
    if len(lanes) == 1 or not hold_one_blas_thread():
        return [slice(0, n_images)]
    return lanes


def rows_per_block(pixels: int, width: int, itemsize: int) -> int:
    """How many rows of a (pixels, width) column matrix make one cache-sized block.

    >>> rows_per_block(100_000, 289, 4)
    1360
    """
    rows = TILE_BYTES // (width * itemsize)
    return max(1, min(pixels, MAX_TILE_ROWS, max(MIN_TILE_ROWS, rows)))


def whole_matrix_bytes(x: np.ndarray, win: Window) -> int:
    """The size of the whole (P, K) column matrix of ``x``."""
    return x.shape[0] * win.out_h * win.out_w * win.kh * win.kw * x.shape[3] * x.itemsize


def keep_column_matrix(x: np.ndarray, win: Window) -> bool:
    """Should the forward pass keep the whole column matrix for the backward pass?"""
    return x.shape[3] <= KEEP_COLS_MAX_CHANNELS and whole_matrix_bytes(x, win) <= KEEP_COLS_BYTES


def transposed_column_matrix(x: np.ndarray, win: Window) -> bool:
    """Should the column matrix be filled whole and transposed (``im2col_transposed``)?"""
    return (x.shape[3] <= TRANSPOSED_MAX_CHANNELS
            and whole_matrix_bytes(x, win) <= TRANSPOSED_COLS_BYTES)


class ColumnMatrix:
    """``im2col(x)`` for one convolution, handed out one block of rows at a time.

    Row ``p`` holds the input values under the window of output pixel ``p``, so
    ``block(rows) @ kernel.reshape(K, O)`` is the output of the pixels ``rows``.

    Parameters
    ----------
    x : (N, H, W, C) C-contiguous float array.
    window : the ``Window`` of the convolution (``geometry.window_2d``).
    ones_column : add a last column of ones, the input of the bias: then
        ``width == K + 1``, ``block @ [kernel; bias]`` includes the bias and
        ``block.T @ dY`` is ``[dkernel; dbias]``.
    keep : store the whole (P, width) matrix as it is filled, so that a second
        pass over the blocks (backward after forward) reads it back instead of
        rebuilding it. Otherwise every block is refilled, into one reused scratch
        buffer per thread - so only one unkept ColumnMatrix per thread may be in
        use at a time. A matrix filled transposed (``transposed``, chosen here by
        ``transposed_column_matrix``) is always whole, so always kept.

    Examples
    --------
    >>> from autograd.kernels.geometry import window_2d
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> cols = ColumnMatrix(x, window_2d("conv2d", x.shape, (2, 2), (1, 1), (1, 1), "valid"),
    ...                     ones_column=True)
    >>> [cols.block(rows).tolist() for rows in cols.blocks()][0][:2]
    [[0.0, 1.0, 3.0, 4.0, 1.0], [1.0, 2.0, 4.0, 5.0, 1.0]]
    """

    def __init__(self, x: np.ndarray, window: Window, ones_column: bool = False,
                 keep: bool = False) -> None:
        self.x, self.window = x, window
        self.k = window.kh * window.kw * x.shape[3]
        self.width = self.k + ones_column
        self.ones_column = ones_column
        self.pixels = x.shape[0] * window.out_h * window.out_w
        self.rows_per_block = rows_per_block(self.pixels, self.width, x.itemsize)
        self._geometry = (window.kh, window.kw, window.sh, window.sw, window.dh, window.dw,
                          window.pad_top, window.pad_left, window.out_h, window.out_w)
        # A 1x1 window with stride 1 and no padding: the column matrix is x itself.
        no_padding = window.pad_top == window.pad_bottom == window.pad_left == \
            window.pad_right == 0
        self._is_x = (not ones_column and no_padding
                      and (window.kh, window.kw, window.sh, window.sw) == (1, 1, 1, 1))
        self._filled = 0  # rows of a kept matrix filled so far
        self.transposed = not self._is_x and transposed_column_matrix(x, window)
        if self._is_x:
            self._buffer = x.reshape(self.pixels, self.k)
            self._filled = self.pixels
        elif self.transposed:  # 1-3 channels: fill all of it now, as (width, P)
            cols_t = np.empty((self.width, self.pixels), dtype=x.dtype)
            im2col_transposed(x, cols_t, *self._geometry)
            self._buffer = cols_t.T  # (P, width), column-major: what BLAS reads
            self._filled = self.pixels
        elif keep:
            self._buffer = np.empty((self.pixels, self.width), dtype=x.dtype)
        else:
            self._buffer = scratch("conv.cols", self.rows_per_block, self.width, x.dtype)
        self._keep = keep or self._is_x or self.transposed
        if ones_column:  # im2col fills the first K columns; the ones stay put
            self._buffer[:, self.k] = 1

    def blocks(self) -> list[slice]:
        """The row ranges of the blocks, in order, covering rows 0 .. P."""
        step = self.rows_per_block
        return [slice(p0, min(p0 + step, self.pixels)) for p0 in range(0, self.pixels, step)]

    def block(self, rows: slice) -> np.ndarray:
        """Rows ``rows`` (one of ``blocks()``) of the column matrix, filled if need be."""
        if self._keep:
            block = self._buffer[rows]
            if rows.stop > self._filled:
                im2col_rows(as_words(self.x), as_words(block), rows.start, *self._geometry)
                self._filled = rows.stop
            return block
        block = self._buffer[: rows.stop - rows.start]
        # as words: one compiled copy loop for float32 and float64 (kernels/im2col.py)
        im2col_rows(as_words(self.x), as_words(block), rows.start, *self._geometry)
        return block

    def add_back(self, d_block: np.ndarray, rows: slice, dx: np.ndarray) -> None:
        """``dx += col2im(d_block)``: add each row of a (rows, K) block onto the input
        cells it was copied from (the adjoint of ``block``)."""
        col2im_rows(d_block, dx, rows.start, *self._geometry)


def winograd_applies(x: np.ndarray, win: Window) -> bool:
    """Does the convolution run as Winograd's F(2x2, 3x3) (``winograd.py``)? For float32
    input, a 3x3 window, stride 1, no dilation, padding "valid" or "same", and at least
    ``WINOGRAD_MIN_CHANNELS`` input channels.

    >>> from autograd.kernels.geometry import window_2d
    >>> x = np.zeros((1, 8, 8, 32), np.float32)
    >>> winograd_applies(x, window_2d("conv2d", x.shape, (3, 3), (1, 1), (1, 1), "same"))
    True
    >>> winograd_applies(x, window_2d("conv2d", x.shape, (3, 3), (2, 2), (1, 1), "same"))
    False
    >>> winograd_applies(x[..., :3], window_2d("conv2d", (1, 8, 8, 3), (3, 3), (1, 1), (1, 1),
    ...                                        "valid"))
    False
    """
    return ((win.kh, win.kw, win.sh, win.sw, win.dh, win.dw) == (3, 3, 1, 1, 1, 1)
            and win.pad_top == win.pad_left <= 1
            and x.dtype == np.float32 and x.shape[3] >= WINOGRAD_MIN_CHANNELS)


def winograd_tiles_per_block(channels: int, itemsize: int) -> int:
    """How many tiles make one block of Winograd's planes (16 of them, ``channels`` wide)
    of about ``WINOGRAD_TILE_BYTES``: between 16 and 1024.

    >>> winograd_tiles_per_block(32, 4)
    256
    """
    return max(16, min(1024, WINOGRAD_TILE_BYTES // (16 * channels * itemsize)))
