"""Weights in Keras 3's HDF5 layout (``model.weights.h5``, ``x.weights.h5``).

Keras 3 stores each layer's own variables under a path built from the classes
of the layers around it, never from layer names (names are not reproducible)::

    vars/                              the model's own variables (none), attr name
    layers/dense/vars/0, .../1         first Dense: kernel, bias
    layers/dense_1/vars/0, ...         the second Dense in Keras's layer order
    layers/sequential/layers/dense/... a Dense inside a nested Sequential
    layers/lstm/cell/vars/0, 1, 2      a layer's sublayers under their attribute names
                                       (RNNs: cell; Bidirectional: forward_layer, ...)
    optimizer/vars/0, 1, ...           the optimizer's variables (when compiled)

Inside ``vars`` the datasets are numbered in the layer's order of variables:
trainable ones first, then the rest, each in creation order (for
BatchNormalization: gamma, beta, moving_mean, moving_variance). Each ``vars``
group has an attribute ``name``: the layer's name. The layer order within one
model is ``keras_layer_order``; the counters (``dense``, ``dense_1``) restart
in every model.

Reading checks every dataset against the model before any value is copied:
the same groups, the same number of variables, the same shapes, float dtypes,
and no more bytes declared than the file holds. A mismatch changes nothing.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

import autograd
from nn.layers.naming import snake_case
from nn.models.functional import Functional
from nn.models.sequential import Sequential
from nn.saving.keras_format.model_configs import keras_layer_order
from nn.utils.optional import require


def weight_groups(model: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``(path, layer)`` for the model and every layer inside it, as Keras stores them."""
    groups = [(prefix + "vars", model)]
    counts: dict[str, int] = {}
    for layer in keras_layer_order(model):
        base = snake_case(type(layer).__name__)  # as Keras names the path
        n = counts.get(base, -1) + 1
        counts[base] = n
        path = f"{prefix}layers/{base if n == 0 else f'{base}_{n}'}/"
        if isinstance(layer, (Sequential, Functional)):
            groups.extend(weight_groups(layer, path))
        else:
            groups.extend(_layer_groups(layer, path))
    return groups


# Layers whose weights live in layers they hold, under these attribute names (Keras
# walks a layer's attributes in sorted order, so "backward_layer" comes first).
CHILD_LAYERS = {"SimpleRNN": ("cell",), "LSTM": ("cell",), "GRU": ("cell",),
                "Bidirectional": ("backward_layer", "forward_layer"),
                "TimeDistributed": ("layer",)}


# MultiHeadAttention holds its eight weights itself; Keras keeps them in four
# EinsumDense sublayers (a kernel, then a bias), under these attribute names.
ATTENTION_PARTS = (("key_dense", "key"), ("output_dense", "output"),
                   ("query_dense", "query"), ("value_dense", "value"))


class WeightPart:
    """Some of a layer's weights, stored as one Keras sublayer's ``vars``."""

    def __init__(self, name: str, weights: list) -> None:
        self.name = name
        self._own_weights = [w for w in weights if w is not None]


def _attention_groups(layer: Any, path: str) -> list[tuple[str, Any]]:
    groups = [(path + "vars", WeightPart(layer.name, []))]
    for attribute, part in ATTENTION_PARTS:
        weights = [getattr(layer, f"{part}_kernel"), getattr(layer, f"{part}_bias")]
        groups.append((f"{path}{attribute}/vars", WeightPart(attribute, weights)))
    return groups


def _layer_groups(layer: Any, path: str) -> list[tuple[str, Any]]:
    if type(layer).__name__ == "MultiHeadAttention":
        return _attention_groups(layer, path)
    groups = [(path + "vars", layer)]
    for attribute in CHILD_LAYERS.get(type(layer).__name__, ()):
        groups.extend(_layer_groups(getattr(layer, attribute), f"{path}{attribute}/"))
    return groups


def own_variables(layer: Any) -> list:
    """The variables Keras stores for one layer: trainable first, then the others."""
    if isinstance(layer, (Sequential, Functional)):
        return []
    own = list(layer._own_weights)
    return [w for w in own if w.trainable] + [w for w in own if not w.trainable]


def write_weights(model: Any, optimizer: Any = None,
                  optimizer_arrays: list[np.ndarray] | None = None) -> bytes:
    """The bytes of a Keras 3 weights file for ``model`` (and, given, the optimizer's
    variables in Keras's order: ``optimizer_state.py``)."""
    h5py = require("h5py", "interop", "Writing Keras files")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for path, layer in weight_groups(model):
            group = f.create_group(path)
            group.attrs["name"] = layer.name
            for i, weight in enumerate(own_variables(layer)):
                group.create_dataset(str(i), data=weight.numpy())
        if optimizer_arrays is not None:
            group = f.create_group("optimizer/vars")
            group.attrs["name"] = optimizer.name
            for i, array in enumerate(optimizer_arrays):
                group.create_dataset(str(i), data=array)
    return buffer.getvalue()


def read_optimizer_arrays(blob: bytes, limit: int = 100_000) -> list[np.ndarray] | None:
    """The arrays under ``optimizer/vars`` in order, or None if there are none (or
    they are not a plain numbered list of numeric datasets no bigger than the file)."""
    h5py = require("h5py", "interop", "Reading Keras files")
    with h5py.File(io.BytesIO(blob), "r") as f:
        group = f.get("optimizer/vars")
        if not isinstance(group, h5py.Group) or not 0 < len(group) <= limit:
            return None
        names = sorted(group.keys(), key=lambda n: int(n) if n.isdigit() else -1)
        if names != [str(i) for i in range(len(names))]:
            return None
        datasets = [group[n] for n in names]
        if not all(isinstance(d, h5py.Dataset) and d.dtype.kind in "fiu" for d in datasets):
            return None
        if sum(d.size * d.dtype.itemsize for d in datasets) > len(blob):
            return None
        return [np.asarray(d[()]) for d in datasets]


def open_weights(blob: bytes, fail) -> Any:
    """The weights file ``blob`` as an open ``h5py.File``, or ``fail(problem)``."""
    h5py = require("h5py", "interop", "Reading Keras files")
    try:
        return h5py.File(io.BytesIO(blob), "r")
    except (OSError, ValueError) as err:
        fail(f"its weights are not a readable HDF5 file ({str(err)[:120]}).")


def read_weights(model: Any, blob: bytes, fail) -> None:
    """Check the weights file ``blob`` against ``model`` and, if everything fits,
    copy the values in. ``fail(problem)`` raises."""
    h5py = require("h5py", "interop", "Reading Keras files")
    f = open_weights(blob, fail)
    with f:
        values = []
        declared = 0
        for path, layer in weight_groups(model):
            variables = own_variables(layer)
            group = f.get(path)
            if group is None or not isinstance(group, h5py.Group):
                if variables:
                    fail(f"it has no weights for layer '{layer.name}' (no group {path!r}): it "
                         "was saved from a model with another architecture.")
                continue
            names = sorted(group.keys())
            if names != sorted(str(i) for i in range(len(variables))):
                fail(f"it holds {len(names)} variables for layer '{layer.name}' ({path}), but "
                     f"the layer has {len(variables)}: another architecture.")
            for i, weight in enumerate(variables):
                dataset = group[str(i)]
                if not isinstance(dataset, h5py.Dataset):
                    fail(f"{path}/{i} is not a dataset.")
                if tuple(dataset.shape) != tuple(weight.shape):
                    fail(f"variable {i} of layer '{layer.name}' ({weight.name}) has shape "
                         f"{tuple(dataset.shape)} in the file but {tuple(weight.shape)} in the "
                         "model: it was saved from another architecture.")
                # Keras keeps counters (Normalization's count) as integers: those load
                # into a non-trainable weight; every other weight must be floats.
                integer_counter = dataset.dtype.kind in "iu" and not weight.trainable
                if dataset.dtype.kind != "f" and not integer_counter:
                    fail(f"variable {i} of layer '{layer.name}' is {dataset.dtype} in the "
                         "file; weights are floats.")
                declared += dataset.size * dataset.dtype.itemsize
                if declared > len(blob):
                    fail("its datasets declare more bytes than the file holds (compressed or "
                         "hostile data); refusing to inflate them.")
                values.append((weight, dataset))
        _check_no_foreign_weights(f, {path for path, _ in weight_groups(model)}, fail)
        arrays = [(weight, np.asarray(dataset[()])) for weight, dataset in values]
    with autograd.no_grad():
        for weight, array in arrays:
            weight.copy_(array.astype(weight.dtype, copy=False))


def _check_no_foreign_weights(f: Any, expected: set[str], fail) -> None:
    """A file holding weights for layers this model lacks is another architecture."""
    h5py = require("h5py", "interop", "Reading Keras files")
    found: list[str] = []

    def visit(name: str, obj: Any) -> None:
        group = name.rsplit("/", 1)[0] if "/" in name else ""
        if isinstance(obj, h5py.Dataset) and not name.startswith("optimizer/") and \
                group not in expected:
            found.append(name)

    f.visititems(visit)
    if found:
        fail(f"it holds weights the model has no place for ({', '.join(found[:3])}): it was "
             "saved from a model with more layers, or another architecture.")


def weights_file_layers(blob: bytes) -> dict[str, list[tuple]]:
    """``{group path: [dataset shapes]}`` of a weights file, for error messages and
    tests (reads no values)."""
    h5py = require("h5py", "interop", "Reading Keras files")
    found: dict[str, list[tuple]] = {}
    with h5py.File(io.BytesIO(blob), "r") as f:
        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                found.setdefault(name.rsplit("/", 1)[0], []).append(tuple(obj.shape))
        f.visititems(visit)
    return found
