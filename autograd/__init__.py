"""autograd: tensors that record how they were computed, and backward() over them.

>>> import autograd
>>> w = autograd.tensor([1.0, -2.0], requires_grad=True)
>>> loss = (w * w).sum()
>>> loss.backward()
>>> w.grad
Tensor([ 2., -4.], shape=(2,), dtype=float32)

Where things are:

- ``tensor.py``: the Tensor class; ``function.py``: Function and Context, the op
  contract; ``engine.py``: the backward walk; ``grad_mode.py``: no_grad;
  ``strict_mode.py``: the checks of ``autograd.strict()``.
- ``ops/``: every differentiable op, forward beside backward, and the function
  that applies it right below (``ops/__init__.py`` lists the files).
- ``kernels/``: the Numba kernels behind convolution and pooling.
- ``gradcheck.py``: finite-difference checks, with ``gradcheck_blame.py`` (which
  op is wrong), ``fingerprints.py`` (what kind of mistake) and
  ``known_mistakes.py`` (wrong backwards an instructor registers);
  ``graph.py``: drawing and tracing.
- ``tensorflow_names.py``: TensorFlow's names (``reduce_sum``, ``tf.nn.relu``,
  ``tf.math.*``, ``cast``, ``one_hot``, ...), so that ``import autograd as tf``
  runs the TensorFlow calls of Keras code; ``variable.py`` (``Variable``),
  ``gradient_tape.py`` (``GradientTape``), ``random.py`` (``tf.random.*``) and
  ``data.py`` (``tf.data.Dataset``) complete them. ``autograd.keras`` is the
  ``nn`` package, imported on first use.
"""

import numpy as _np

# First: with GRADSTACK_STRICT=1 it sets Numba's bounds checking before any kernel
# compiles (see strict_mode.py).
from .strict_mode import is_strict, strict  # isort: skip
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
from .known_mistakes import forget_mistakes, known_mistakes, register_mistake
from .ops.activations import elu, gelu, leaky_relu, relu, sigmoid, softplus, tanh
from .ops.arithmetic import abs, add, astype, div, mul, neg, pow, sub
from .ops.comparison import equal, greater, greater_equal, less, less_equal, not_equal
from .ops.cross_entropy import (
    sigmoid_cross_entropy,
    softmax_cross_entropy,
    sparse_crossentropy_from_probabilities,
    sparse_softmax_cross_entropy,
)
from .ops.linalg import linear
from .ops.math_functions import cos, exp, log, sin, sqrt, square
from .ops.selection import clip, maximum, minimum, where
from .ops.shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    getitem,
    pad,
    split,
    squeeze,
    stack,
)

# Reductions and softmax take PyTorch's dim=/keepdim= too (the table is in pytorch_names.py).
from .pytorch_names import (
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    prod,
    softmax,
    std,
    sum,
    var,
)
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
    "topological_order", "grad", "strict", "is_strict",
    "register_mistake", "known_mistakes", "forget_mistakes",
    # dtypes
    "float16", "float32", "float64", "int32", "int64", "bool_",
]

# Convolution and pooling (NHWC, Keras kernel layout), on the Numba kernels.
from .ops.conv import conv2d  # noqa: E402
from .ops.conv_transpose import conv2d_transpose  # noqa: E402
from .ops.depthwise_conv import depthwise_conv2d  # noqa: E402
from .ops.pool import avg_pool2d, global_avg_pool2d, global_max_pool2d, max_pool2d  # noqa: E402

__all__ += ["conv2d", "conv2d_transpose", "depthwise_conv2d", "max_pool2d", "avg_pool2d",
            "global_max_pool2d", "global_avg_pool2d", "conv_output_shape"]

# Training asks for arrays of the same sizes every step: let malloc keep freed ones
# for reuse instead of faulting in fresh pages each time (kernels/workspace.py says
# why and how much; GRADSTACK_MALLOC=system opts out).
from .kernels.workspace import reuse_freed_memory  # noqa: E402

reuse_freed_memory()

# Recurrent layers' cores: a whole sequence of cell steps as one op each.
from .ops.attention import scaled_dot_product_attention  # noqa: E402
from .ops.batch_norm import batch_norm  # noqa: E402
from .ops.embedding import embedding  # noqa: E402
from .ops.layer_norm import layer_norm  # noqa: E402
from .ops.recurrent import gru, lstm, simple_rnn  # noqa: E402

__all__ += ["scaled_dot_product_attention", "embedding", "batch_norm", "layer_norm", "simple_rnn",
            "lstm", "gru"]

# TensorFlow's names (the table is in tensorflow_names.py). reshape, transpose and
# matmul come from there because they accept TensorFlow's keywords (shape=, perm=,
# transpose_b=) as well as gradstack's forms; the ops behind them are in ops/.
# tf.data.Dataset and tf.random.normal(...), tf.random.set_seed(...):
from . import data, random  # noqa: E402
from .gradient_tape import GradientTape  # noqa: E402
from .tensorflow_names import (  # noqa: E402
    cast,
    ceil,
    clip_by_value,
    concat,
    constant,
    constant_initializer,
    convert_to_tensor,
    divide,
    executing_eagerly,
    fill,
    floor,
    function,
    gather,
    identity,
    is_tensor,
    linspace,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    math,
    matmul,
    multiply,
    negative,
    nn,
    one_hot,
    ones_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    rank,
    reciprocal,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_sum,
    reduce_variance,
    reshape,
    rsqrt,
    shape,
    sign,
    size,
    squared_difference,
    stop_gradient,
    subtract,
    tile,
    transpose,
    unstack,
    zeros_initializer,
)

# TensorFlow names that are also Python builtins: attributes (tf.range, tf.print),
# but left out of __all__ so that `from autograd import *` cannot hide the builtins.
from .tensorflow_names import print as print  # noqa: E402
from .tensorflow_names import range as range  # noqa: E402
from .tensorflow_names import round as round  # noqa: E402
from .variable import Variable  # noqa: E402

bool = _np.bool_  # tf.bool (not in __all__, for the same reason)

# TensorFlow's other dtype names.
int8 = _np.int8
int16 = _np.int16
uint8 = _np.uint8
newaxis = None

__all__ += [
    "GradientTape", "Variable", "data", "random", "int8", "int16", "uint8", "newaxis",
    "cast", "ceil", "clip_by_value", "concat", "constant", "constant_initializer",
    "convert_to_tensor", "divide", "executing_eagerly", "fill", "floor", "function", "gather",
    "identity", "is_tensor", "linspace", "log1p", "logical_and", "logical_not", "logical_or",
    "math", "multiply", "negative", "nn", "one_hot", "ones_initializer",
    "random_normal_initializer", "random_uniform_initializer", "rank", "reciprocal",
    "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max", "reduce_mean", "reduce_min",
    "reduce_prod", "reduce_std", "reduce_sum", "reduce_variance", "rsqrt", "shape",
    "sign", "size", "squared_difference", "stop_gradient", "subtract", "tile",
    "unstack", "zeros_initializer",
]


def __getattr__(name: str):
    # tf.keras: the nn package, imported only when first asked for, so that importing
    # autograd imports nothing of nn (autograd must not depend on the front end).
    if name == "keras":
        import nn

        return nn
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
