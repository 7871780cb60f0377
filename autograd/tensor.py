"""``Tensor``: a NumPy array that remembers how it was computed.

A Tensor holds

- ``data``: the values, a NumPy array;
- ``requires_grad``: whether gradients should flow back to it;
- ``grad``: after ``backward()``, the gradient of the final scalar with respect
  to this tensor (a Tensor of the same shape), on leaves and on tensors that
  called ``retain_grad()``;
- ``grad_fn``: the graph node (a ``Context``) of the op that produced it, or
  None for a leaf that you created yourself.

>>> import autograd
>>> a = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> loss = (a * a).sum()
>>> loss.backward()
>>> a.grad
Tensor([2., 4., 6.], shape=(3,), dtype=float32)

The operators (``+``, ``*``, ``@``, ...) and methods (``.sum()``, ``.relu()``,
...) are bound at the bottom of this file, one line each, to the functions in
``autograd/ops/`` where each op's forward and backward sit side by side.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

# Python floats and lists of floats become float32, the dtype deep learning uses;
# NumPy arrays keep their dtype so that float64 works end to end (gradcheck).
DEFAULT_FLOAT = np.float32

# Every tensor gets the next number when it is created. An op's output is always
# created after its inputs, so the backward engine can order a graph by these
# numbers alone (see engine.topological_order).
_creation_counter = itertools.count()


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Turn what a user passes to ``Tensor(...)`` into a fresh ndarray."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data, dtype=dtype)  # a copy: the Tensor owns its values
    arr = np.array(data, dtype=dtype)
    if dtype is None and arr.dtype == np.float64:
        arr = arr.astype(DEFAULT_FLOAT)
    return arr


def as_array(x: Any, dtype: Any = None) -> np.ndarray:
    """The values of ``x`` as an ndarray: a Tensor's own array, else ``np.asarray(x)``.

    The one boundary helper for code that accepts Tensors, arrays, lists and
    numbers alike. A Tensor's array is shared, not copied (like ``t.numpy()``).

    >>> import autograd
    >>> autograd.as_array(autograd.tensor([1.0, 2.0]))
    array([1., 2.], dtype=float32)
    >>> autograd.as_array([1, 2])
    array([1, 2])
    """
    if isinstance(x, Tensor):
        x = x.data
    return np.asarray(x, dtype=dtype)


class Tensor:
    """An n-dimensional array with reverse-mode differentiation.

    Parameters
    ----------
    data : array-like
        Numbers, nested lists, a NumPy array or another Tensor. Values are copied.
    requires_grad : bool
        Record ops on this tensor so that ``backward()`` can compute its gradient.
        Only floating-point tensors can require grad.
    dtype : NumPy dtype or name, optional
        Defaults to float32 for Python floats, int64 for Python ints, and to the
        array's own dtype for NumPy input.
    name : str, optional
        A label shown in ``repr`` and in graph drawings.

    Examples
    --------
    >>> import autograd
    >>> autograd.Tensor([[1.0, 2.0]], requires_grad=True, name="w")
    Tensor([[1., 2.]], shape=(1, 2), dtype=float32, requires_grad=True, name='w')
    """

    # __slots__ keeps each Tensor small and attribute access fast: the engine
    # creates one per op, and the per-op overhead is what small models pay for.
    __slots__ = (
        "data",
        "requires_grad",
        "_grad",
        "grad_fn",
        "name",
        "_version",
        "_retains_grad",
        "_seq",
        "__weakref__",
    )

    # NumPy must hand binary operators back to us: `ndarray + Tensor` then calls
    # Tensor.__radd__ (recorded in the graph) instead of looping over objects.
    __array_ufunc__ = None

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        self.data = _as_array(data, dtype)
        self._grad: Tensor | None = None
        self.grad_fn = None
        self.name = name
        self._version = 0
        self._retains_grad = False
        self._seq = next(_creation_counter)
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, array: np.ndarray) -> Tensor:
        """Wrap an array an op produced, without copying or checking it."""
        t = object.__new__(Tensor)
        t.data = array
        t.requires_grad = False
        t._grad = None
        t.grad_fn = None
        t.name = None
        t._version = 0
        t._retains_grad = False
        t._seq = next(_creation_counter)
        return t

    # ------------------------------------------------------------------ inspection
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors you created; False for results of recorded ops."""
        return self.grad_fn is None

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (shared memory, not a copy)."""
        return self.data

    def item(self) -> Any:
        """The single value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, but this one has shape "
                f"{self.shape} ({self.size} elements). Reduce it first, e.g. t.sum().item(), "
                "or index one element: t[0, 0].item()."
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it holds one number and has no first axis")
        return self.data.shape[0]

    def __iter__(self):
        # Each item is t[i], so iterating keeps the graph.
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"The truth value of a tensor of shape {self.shape} is ambiguous. "
                "Use (t > 0).any() or .all() style reductions on t.numpy() instead."
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __format__(self, spec: str) -> str:
        if self.data.size == 1 and spec:
            return format(self.data.item(), spec)
        return format(repr(self), spec)

    # Tensors are compared by identity when used as dict keys or in sets;
    # `==` between tensors is elementwise (see the comparison ops below).
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        prefix = f"{type(self).__name__}("
        values = np.array2string(
            self.data, separator=", ", prefix=prefix, threshold=100, edgeitems=3
        )
        parts = [values, f"shape={self.shape}", f"dtype={self.dtype}"]
        if self.grad_fn is not None:
            parts.append(f"grad_fn=<{self.grad_fn.fn.__name__}>")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        return prefix + ", ".join(parts) + ")"

    # ------------------------------------------------------------------ autograd
    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Compute the gradient of this tensor with respect to every leaf that
        requires grad, and add it to each leaf's ``.grad``.

        Parameters
        ----------
        grad : array-like, optional
            The gradient of the final scalar with respect to this tensor. Needed
            when this tensor is not a scalar.
        retain_graph : bool
            Keep the graph so that ``backward()`` can run through it again.
        """
        _engine.backward(self, grad, retain_graph)

    @property
    def grad(self) -> Tensor | None:
        """The gradient ``backward()`` accumulated here: on leaves, and on tensors
        that called ``retain_grad()``. Reading it on any other tensor made by an op
        warns (it stays None), naming ``retain_grad()``, as PyTorch does."""
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                f"The .grad of a tensor made by <{self.grad_fn.fn.__name__}> (shape "
                f"{self.shape}) is None: backward() fills .grad only on leaves (tensors "
                "you created). Call .retain_grad() on this tensor before backward() to "
                "keep its gradient, or get it with autograd.grad(loss, tensor).",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        self._grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf tensor and return it."""
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(
                f"Only floating-point tensors can require grad, but this tensor has dtype "
                f"{self.dtype}: gradients of integer or boolean values are not defined. "
                "Convert it first, e.g. t.astype('float32')."
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_(False) can only be set on a leaf tensor; this one was made "
                f"by <{self.grad_fn.fn.__name__}>. Use t.detach() to get a tensor outside "
                "the graph."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor after ``backward()``."""
        if self.grad_fn is not None:
            self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """A tensor with the same values (shared memory) that is outside the graph."""
        return Tensor._from_op(self.data)

    # ------------------------------------------------------------------ in place
    # In-place changes bump a version counter. A graph that saved this tensor for
    # backward checks the counter, so a change made between forward and backward
    # raises an error instead of producing wrong gradients.
    def _check_inplace(self, op: str) -> None:
        if self.requires_grad and _grad_mode.is_grad_enabled():
            raise RuntimeError(
                f"{op}: an in-place change to a tensor that requires grad is not recorded "
                "in the graph. Do it under `with autograd.no_grad():` (as optimizers do), "
                "or use the out-of-place op (y = x + 1)."
            )

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """In place: self += alpha * other."""
        self._check_inplace("add_")
        other = other.data if isinstance(other, Tensor) else other
        if alpha == 1.0:
            self.data += other
        else:
            self.data += alpha * other
        self._version += 1
        return self

    def sub_(self, other: Any) -> Tensor:
        """In place: self -= other."""
        self._check_inplace("sub_")
        self.data -= other.data if isinstance(other, Tensor) else other
        self._version += 1
        return self

    def mul_(self, other: Any) -> Tensor:
        """In place: self *= other."""
        self._check_inplace("mul_")
        self.data *= other.data if isinstance(other, Tensor) else other
        self._version += 1
        return self

    def copy_(self, other: Any) -> Tensor:
        """In place: overwrite the values with ``other`` (same shape)."""
        self._check_inplace("copy_")
        src = as_array(other)
        if src.shape != self.shape:
            raise ValueError(
                f"copy_: cannot copy values of shape {src.shape} into a tensor of shape "
                f"{self.shape}; the shapes must match."
            )
        np.copyto(self.data, src, casting="same_kind")
        self._version += 1
        return self

    def fill_(self, value: float) -> Tensor:
        """In place: set every element to ``value``."""
        self._check_inplace("fill_")
        self.data.fill(value)
        self._version += 1
        return self

    def zero_(self) -> Tensor:
        """In place: set every element to zero."""
        return self.fill_(0)

    # `p -= lr * p.grad`, the manual SGD step, must change p itself, as in PyTorch.
    # Without these methods Python falls back to `p = p - lr * p.grad`: p is rebound
    # to a new tensor, and the weight the model holds never changes.
    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace("+=", np.add, arithmetic.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace("-=", np.subtract, arithmetic.sub, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace("*=", np.multiply, arithmetic.mul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace("/=", np.divide, arithmetic.div, other)

    def _inplace(self, symbol: str, ufunc: np.ufunc, recorded_op: Any, other: Any) -> Tensor:
        """``self <symbol> other``: in place, unless the graph would have to record it."""
        other_records = isinstance(other, Tensor) and other.requires_grad
        if (self.requires_grad or other_records) and _grad_mode.is_grad_enabled():
            if self.requires_grad and self.grad_fn is None:
                raise RuntimeError(
                    f"`t {symbol} ...` on a leaf tensor that requires grad (shape "
                    f"{self.shape}) while the graph is recorded: the change would not be "
                    "recorded, so gradients would be wrong. Update weights under "
                    "`with autograd.no_grad():`, e.g. `with autograd.no_grad(): "
                    "p -= lr * p.grad` (PyTorch refuses this too)."
                )
            # A result of an op, or a value that gradients must flow to: record the op
            # and rebind the name, as `t = t + other` would.
            return recorded_op(self, other)
        value = np.asarray(other.data if isinstance(other, Tensor) else other)
        try:
            fits = np.broadcast_shapes(self.shape, value.shape) == self.shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"`t {symbol} other` in place: other has shape {value.shape}, which does "
                f"not broadcast to t's shape {self.shape}. An in-place change keeps t's "
                f"shape; write `t = t {symbol[0]} other` for a new tensor of the broadcast shape."
            )
        try:
            ufunc(self.data, value, out=self.data, casting="same_kind")
        except TypeError:  # NumPy's UFuncTypeError
            raise TypeError(
                f"`t {symbol} other` in place: the result ({np.result_type(self.data, value)}) "
                f"cannot be stored in t's dtype {self.dtype}. Convert t first, e.g. "
                "t = t.astype('float32')."
            ) from None
        self._version += 1
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace("__setitem__")
        if isinstance(value, Tensor):
            value = value.data
        self.data[_index_arrays(index)] = value
        self._version += 1


def _index_arrays(index: Any) -> Any:
    """Replace Tensors inside an index with their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


# ---------------------------------------------------------------------------------
# Operators and methods, bound one per line. Each name leads to a plain function in
# autograd/ops/<module>.py, written right under the Function that holds the op's
# forward and backward. (These imports sit here, after the class, because the ops
# need Tensor to exist.)
from . import engine as _engine  # noqa: E402
from . import grad_mode as _grad_mode  # noqa: E402
from . import pytorch_names  # noqa: E402
from .ops import (  # noqa: E402
    activations,
    arithmetic,
    comparison,
    linalg,
    math_functions,
    selection,
    shape,
)

Tensor.__add__ = arithmetic.add
Tensor.__radd__ = arithmetic.radd
Tensor.__sub__ = arithmetic.sub
Tensor.__rsub__ = arithmetic.rsub
Tensor.__mul__ = arithmetic.mul
Tensor.__rmul__ = arithmetic.rmul
Tensor.__truediv__ = arithmetic.div
Tensor.__rtruediv__ = arithmetic.rdiv
Tensor.__pow__ = arithmetic.pow
Tensor.__rpow__ = arithmetic.rpow
Tensor.__neg__ = arithmetic.neg
Tensor.__pos__ = arithmetic.pos
Tensor.__abs__ = arithmetic.abs
Tensor.__matmul__ = linalg.matmul
Tensor.__rmatmul__ = linalg.rmatmul
Tensor.__getitem__ = shape.getitem

Tensor.__eq__ = comparison.equal
Tensor.__ne__ = comparison.not_equal
Tensor.__lt__ = comparison.less
Tensor.__le__ = comparison.less_equal
Tensor.__gt__ = comparison.greater
Tensor.__ge__ = comparison.greater_equal

Tensor.abs = arithmetic.abs
Tensor.astype = arithmetic.astype
Tensor.exp = math_functions.exp
Tensor.log = math_functions.log
Tensor.sqrt = math_functions.sqrt
Tensor.square = math_functions.square
Tensor.sin = math_functions.sin
Tensor.cos = math_functions.cos
Tensor.tanh = activations.tanh
Tensor.sigmoid = activations.sigmoid
Tensor.relu = activations.relu
Tensor.leaky_relu = activations.leaky_relu
Tensor.elu = activations.elu
Tensor.softplus = activations.softplus
Tensor.gelu = activations.gelu
Tensor.clip = selection.clip
Tensor.maximum = selection.maximum
Tensor.minimum = selection.minimum

# Reductions and the softmax family also take PyTorch's dim=/keepdim=; the wrappers
# that translate them are in pytorch_names.py, and call reduce.* and softmax.*.
Tensor.sum = pytorch_names.sum
Tensor.mean = pytorch_names.mean
Tensor.var = pytorch_names.var
Tensor.std = pytorch_names.std
Tensor.max = pytorch_names.max
Tensor.min = pytorch_names.min
Tensor.prod = pytorch_names.prod
Tensor.argmax = pytorch_names.argmax
Tensor.argmin = pytorch_names.argmin
Tensor.logsumexp = pytorch_names.logsumexp

Tensor.reshape = shape.reshape
Tensor.transpose = shape.transpose
Tensor.T = property(shape.transpose)
Tensor.expand_dims = shape.expand_dims
Tensor.squeeze = shape.squeeze
Tensor.broadcast_to = shape.broadcast_to
Tensor.flatten = shape.flatten
Tensor.pad = shape.pad
Tensor.split = shape.split

Tensor.matmul = linalg.matmul
Tensor.softmax = pytorch_names.softmax
Tensor.log_softmax = pytorch_names.log_softmax

# PyTorch's names for ops gradstack spells the NumPy way (pytorch_names.py).
Tensor.pow = pytorch_names.pow
Tensor.clamp = pytorch_names.clamp
Tensor.view = pytorch_names.view
Tensor.permute = pytorch_names.permute
Tensor.unsqueeze = pytorch_names.unsqueeze
