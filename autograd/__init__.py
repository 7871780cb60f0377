"""autograd: tensors that record how they were computed, and backward() over them.

>>> import autograd
>>> w = autograd.tensor([1.0, -2.0], requires_grad=True)
>>> loss = (w * w).sum()
>>> loss.backward()
>>> w.grad
Tensor([ 2., -4.], shape=(2,), dtype=float32)

Where things are:

- ``tensor.py``: the Tensor class; ``function.py``: Function and Context, the op
  contract; ``engine.py``: the backward walk; ``grad_mode.py``: no_grad.
- ``ops/``: every differentiable op, forward beside backward, and the function
  that applies it right below (``ops/__init__.py`` lists the files).
- ``kernels/``: the Numba kernels behind convolution and pooling.
- ``gradcheck.py``: finite-difference checks; ``graph.py``: drawing and tracing.
"""

import numpy as _np

from .creation import (
    arange,
    eye,
    full,
    normal,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    uniform,
    zeros,
    zeros_like,
)
from .engine import grad, topological_order
from .function import Context, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .graph import GraphDrawing, TraceStep, draw_graph, trace
from .kernels.geometry import conv_output_shape
from .ops.activations import elu, gelu, leaky_relu, relu, sigmoid, softplus, tanh
from .ops.arithmetic import abs, add, astype, div, mul, neg, pow, sub
from .ops.comparison import equal, greater, greater_equal, less, less_equal, not_equal
from .ops.cross_entropy import (
    sigmoid_cross_entropy,
    softmax_cross_entropy,
    sparse_crossentropy_from_probabilities,
    sparse_softmax_cross_entropy,
)
from .ops.linalg import linear, matmul
from .ops.math_functions import cos, exp, log, sin, sqrt, square
from .ops.reduce import argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var
from .ops.selection import clip, maximum, minimum, where
from .ops.shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    getitem,
    pad,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
)
from .ops.softmax import log_softmax, softmax
from .random import get_generator, manual_seed
from .tensor import Tensor, as_array

# dtypes, so that code can write autograd.float32 as it would tf.float32
float16 = _np.float16
float32 = _np.float32
float64 = _np.float64
int32 = _np.int32
int64 = _np.int64
bool_ = _np.bool_

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Function", "Context", "tensor", "as_array",
    # creation
    "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye",
    "rand", "randn", "uniform", "normal", "manual_seed", "get_generator",
    # grad mode
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    # arithmetic, math functions, activations, selection, comparisons
    "add", "sub", "mul", "div", "pow", "neg", "abs", "astype",
    "exp", "log", "sqrt", "square", "sin", "cos",
    "tanh", "sigmoid", "relu", "leaky_relu", "elu", "softplus", "gelu",
    "maximum", "minimum", "clip", "where",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    # reductions
    "sum", "mean", "var", "std", "max", "min", "prod", "logsumexp", "argmax", "argmin",
    # shapes
    "reshape", "transpose", "expand_dims", "squeeze", "broadcast_to", "flatten",
    "getitem", "concatenate", "stack", "split", "pad",
    # linear algebra and nn
    "matmul", "linear", "softmax", "log_softmax", "softmax_cross_entropy",
    "sparse_softmax_cross_entropy", "sigmoid_cross_entropy",
    "sparse_crossentropy_from_probabilities",
    # tools
    "gradcheck", "GradcheckError", "draw_graph", "GraphDrawing", "trace", "TraceStep",
    "topological_order", "grad",
    # dtypes
    "float16", "float32", "float64", "int32", "int64", "bool_",
]

# Convolution and pooling (NHWC, Keras kernel layout), on the Numba kernels.
from .ops.conv import conv2d  # noqa: E402
from .ops.pool import avg_pool2d, global_avg_pool2d, global_max_pool2d, max_pool2d  # noqa: E402

__all__ += ["conv2d", "max_pool2d", "avg_pool2d", "global_max_pool2d", "global_avg_pool2d",
            "conv_output_shape"]

# Recurrent layers' cores: a whole sequence of cell steps as one op each.
from .ops.embedding import embedding  # noqa: E402
from .ops.recurrent import gru, lstm, simple_rnn  # noqa: E402

__all__ += ["embedding", "simple_rnn", "lstm", "gru"]
