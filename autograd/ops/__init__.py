"""The differentiable ops, one file per family.

- ``elementwise``: arithmetic, activations, comparisons
- ``reduce``: sum, mean, var, std, max, min, prod, logsumexp, argmax, argmin
- ``shape``: reshape, transpose, indexing, concatenate, stack, split, pad
- ``linalg``: matmul
- ``nn``: softmax, log_softmax, fused cross-entropies
- ``conv`` and ``pool``: convolution and pooling on the Numba kernels

Each op is a ``Function`` subclass with ``forward`` and ``backward`` side by side,
plus a plain function (``relu``, ``matmul``, ...) that applies it.
"""
