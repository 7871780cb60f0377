"""Hypothesis strategies for convolution and pooling tests: small NHWC inputs and
window settings that include the awkward cases - batch 1, one channel, odd sizes,
strides larger than the window, dilation, windows that do not tile the input,
and both paddings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from autograd.kernels.geometry import Window, window_2d

# Kernels are compiled once, so examples are cheap; gradcheck tests use fewer.
KERNEL_SETTINGS = settings(max_examples=60, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])
OP_SETTINGS = settings(max_examples=15, deadline=None,
                       suppress_health_check=[HealthCheck.too_slow])

DTYPES = (np.float32, np.float64)


@dataclass(frozen=True)
class Case:
    """An input shape, a window over it, and a dtype."""

    x_shape: tuple
    kernel_size: tuple
    strides: tuple
    dilation: tuple
    padding: str
    dtype: type
    window: Window
    seed: int

    @property
    def out_shape(self) -> tuple:
        return (self.x_shape[0], self.window.out_h, self.window.out_w)

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def x(self) -> np.ndarray:
        return self.rng().standard_normal(self.x_shape).astype(self.dtype)


@st.composite
def cases(draw, max_side: int = 7, max_channels: int = 3, dilation: bool = True) -> Case:
    """A random (input, window) pair whose window fits (for "valid") at least once."""
    padding = draw(st.sampled_from(["valid", "same"]))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    # "valid" needs the dilated window to fit; "same" works for any input size
    smallest = [(k - 1) * d + 1 if padding == "valid" else 1
                for k, d in zip(kernel, dil, strict=True)]
    h = draw(st.integers(smallest[0], max(smallest[0], max_side)))
    w = draw(st.integers(smallest[1], max(smallest[1], max_side)))
    x_shape = (draw(st.integers(1, 2)), h, w, draw(st.integers(1, max_channels)))
    window = window_2d("test", x_shape, kernel, strides, dil, padding)
    return Case(x_shape, kernel, strides, dil, padding, draw(st.sampled_from(DTYPES)),
                window, draw(st.integers(0, 2**31)))


def geometry(win: Window) -> tuple:
    """The trailing integer arguments of the im2col kernels, in order."""
    return (win.kh, win.kw, win.sh, win.sw, win.dh, win.dw, win.pad_top, win.pad_left,
            win.out_h, win.out_w)


def pool_geometry(win: Window) -> tuple:
    """The trailing integer arguments of the pooling kernels, in order."""
    return (win.kh, win.kw, win.sh, win.sw, win.pad_top, win.pad_left)
