"""The differentiable ops, one file per family.

- ``arithmetic``: + - * / **, neg, abs, astype
- ``math_functions``: exp, log, sqrt, square, sin, cos
- ``activations``: tanh, sigmoid, relu, leaky_relu, elu, softplus, gelu
- ``selection``: maximum, minimum, clip, where
- ``comparison``: == != < <= > >= (bool results, outside the graph)
- ``reduce``: sum, mean, var, std, max, min, prod, logsumexp, argmax, argmin
- ``shape``: reshape, transpose, indexing, concatenate, stack, split, pad
- ``linalg``: matmul, linear
- ``softmax``: softmax, log_softmax
- ``cross_entropy``: the fused cross-entropies behind the losses
- ``batch_norm``, ``layer_norm``: the fused normalizations behind the layers
- ``conv`` and ``pool``: convolution and pooling on the Numba kernels

Each op is a ``Function`` subclass with ``forward`` and ``backward`` side by side,
and right below it the plain function (``relu``, ``matmul``, ...) that applies it.
``grep -n "def relu" -B 20 autograd/ops/*.py`` shows both.
"""
