"""Checks that keep a load bounded by the file: what a header may ask for.

A file is only JSON and arrays, but the JSON says what to build. Before and
while the loader builds, these checks make sure that:

- every number in the architecture is plausible for the weights stored
  (``check_architecture``), every ``dtype`` is a number type, every input
  shape is small enough to build on (``MAX_BUILD_VALUES``), and there are at
  most ``MAX_LAYERS`` (32,768) layers, so loading time is bounded too;
- every weight a layer creates has the shape of an array the file actually holds,
  and takes that array's values instead of running its initializer
  (``StoredWeights``, installed with ``nn.layers.loading.weights_from``);
- the compile section names only losses, metrics and optimizers that exist
  (``check_compile_section``), so a file that loads also trains.

Each failure calls ``fail(problem)``, which raises ``SavedFileError``.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from .compile_structure import check_entries
from .container import check_json_shape

SMALLEST_INT_LIMIT = 1 << 16
# The most values one input sample may have for building (a 2048 x 2048 RGB image
# is 12.6M; built-in layers build without computing, so this only bounds what a
# custom layer's build-by-running-on-zeros may allocate).
MAX_BUILD_VALUES = 1 << 24
MAX_DIMENSION = 1 << 24
# The most layers an architecture may list, nested models' layers included. Real
# models have hundreds to a few thousand (ResNet-152: ~500); loading is linear in
# the count (about 0.15 ms per Dense layer), so this bounds a load's time to seconds.
MAX_LAYERS = 32_768
_SHAPE_KEYS = ("batch_input_shape", "batch_shape", "input_shape", "build_input_shape")
_NUMBER_KINDS = "biuf"  # bool, int, unsigned, float


def stored_weight_values(arrays: dict[str, np.ndarray]) -> int:
    return sum(a.size for name, a in arrays.items() if name.startswith("weights/"))


def check_architecture(config: dict, arrays: dict[str, np.ndarray], fail) -> None:
    """Refuse configs whose numbers would make absurd weights, or whose dtypes or
    input shapes could not be built.

    Every integer must be at most max(2 x the number of stored weight values, 65536),
    random seeds excepted: a real model's units, filters and kernel sizes are all
    bounded by its weight count. At most ``MAX_LAYERS`` layers in all. (A first
    filter: ``StoredWeights`` then checks each weight's exact shape.)"""
    check_json_shape(config, fail)
    stored = stored_weight_values(arrays)
    limit = max(2 * stored, SMALLEST_INT_LIMIT)
    layers = 0
    stack: list[Any] = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "seed":  # a random seed sizes nothing, and seeds are often large
                    continue
                if key == "layers" and isinstance(value, list):
                    layers += len(value)
                    if layers > MAX_LAYERS:
                        fail(f"its architecture lists more than {MAX_LAYERS} layers (nested "
                             "models included), the most a gradstack file may hold.")
                if key == "dtype":
                    check_dtype_name(value, fail)
                elif key in _SHAPE_KEYS and value is not None:
                    shape_from_json(value, fail, stored)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int) and abs(item) > limit:
            fail(f"its architecture holds the number {item}, far larger than a model with "
                 f"{stored} stored weight values can use; refusing to build it.")
        elif isinstance(item, float) and not np.isfinite(item):
            fail(f"its architecture holds the number {item}; a layer setting must be finite.")
        elif isinstance(item, str) and len(item) > 10_000:
            fail("its architecture holds a string longer than 10,000 characters.")


def check_dtype_name(value: Any, fail) -> None:
    """A layer dtype must be None or the name of a number type ("float32")."""
    if value is None:
        return
    kind = None
    if isinstance(value, str) and len(value) <= 32:
        try:
            kind = np.dtype(value).kind
        except TypeError:
            kind = None
    if kind is None or kind not in _NUMBER_KINDS:
        fail(f"its architecture gives the dtype {str(value)[:40]!r}; a layer's dtype must be "
             "the name of a number type such as 'float32'.")


def shape_from_json(shape: Any, fail, stored_values: int = 0) -> Any:
    """A shape from the file (a list of ints and None, or a list of such lists for
    several inputs) as tuples; refused if malformed or too large to build on."""
    if isinstance(shape, list) and shape and all(isinstance(s, list) for s in shape):
        return [shape_from_json(s, fail, stored_values) for s in shape]
    if not isinstance(shape, list) or len(shape) > 32 or not all(
        s is None or (isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= MAX_DIMENSION)
        for s in shape
    ):
        fail(f"its input shape {str(shape)[:80]} is invalid: a shape is a list of sizes "
             f"(whole numbers up to {MAX_DIMENSION}) and None.")
    values = 1
    for s in shape:
        values *= 1 if s is None else s
    if values > MAX_BUILD_VALUES + stored_values:
        fail(f"its input shape {shape[:8]} has {values} values per sample, more than "
             f"{MAX_BUILD_VALUES + stored_values} that a model with {stored_values} stored "
             "weight values may be built on.")
    return tuple(shape)


class StoredWeights:
    """The weight source of a load (see ``nn.layers.loading``): each weight a layer
    creates must have the shape of a stored array not yet taken, and starts as a
    copy of it. So building allocates at most what the file stores, and no
    initializer runs. The final assignment in ``model.weights`` order (with its
    shape and count checks) still happens after building."""

    def __init__(self, arrays: dict[str, np.ndarray], fail) -> None:
        self._fail = fail
        self._free: dict[tuple, deque[np.ndarray]] = {}  # a deque: 10k+ weights may share a shape
        names = sorted((n for n in arrays if n.startswith("weights/")),
                       key=lambda n: int(n.split("/")[1]) if n.split("/")[1].isdigit() else -1)
        for name in names:
            self._free.setdefault(tuple(arrays[name].shape), deque()).append(arrays[name])
        self.taken = 0

    def __call__(self, layer: Any, name: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
        free = self._free.get(tuple(shape))
        if not free:
            more = "more " if self.taken else ""
            self._fail(
                f"its architecture makes layer '{getattr(layer, 'name', '?')}' create a weight "
                f"'{name}' of shape {tuple(shape)}, but the file holds no {more}weights of that "
                "shape: it was saved from another architecture, or is hostile. Nothing was "
                "allocated for it.")
        self.taken += 1
        stored = free.popleft()
        if stored.dtype.kind not in _NUMBER_KINDS:
            self._fail(f"weight '{name}' of layer '{getattr(layer, 'name', '?')}' is stored as "
                       f"{stored.dtype}, not as numbers.")
        return np.array(stored, dtype=dtype)  # a writable copy in the layer's dtype


class WeightBudget:
    """The weight source of a load whose values come later (a Keras file's HDF5
    weights, read once the model is built): each new weight starts as zeros instead
    of running its initializer, and all of them together may take at most
    ``budget_bytes`` - the size of the weights file, which must hold every one of
    them - so a file cannot make the loader allocate more than it stores."""

    def __init__(self, budget_bytes: int, fail) -> None:
        self._fail = fail
        self.left = budget_bytes

    def __call__(self, layer: Any, name: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
        count = 1
        for size in shape:
            count *= int(size)
        self.left -= count * dtype.itemsize
        if self.left < 0:
            self._fail(
                f"its architecture makes layer '{getattr(layer, 'name', '?')}' create a weight "
                f"'{name}' of shape {tuple(shape)}, which takes the model's weights past the "
                "bytes its weights file holds: it is hostile or does not belong to its "
                "weights. Nothing was allocated for it.")
        return np.zeros(shape, dtype=dtype)  # overwritten by the file's values


def check_compile_section(spec: Any, fail) -> None:
    """The shape of the compile section: an object with an optimizer; a loss, metrics
    and weighted metrics each one entry, a list, or a dict by output name (metrics
    also a list of lists; ``compile_structure.py``), every entry a name or an object
    with a class name or function; loss weights numbers in the same shapes."""
    if not isinstance(spec, dict):
        fail("its compile settings are not an object.")
    metrics = spec.get("metrics")
    if metrics is not None and not isinstance(metrics, (list, dict)):
        fail(f"its compile settings give metrics as {type(metrics).__name__} "
             f"{str(metrics)[:40]!r}; metrics must be a list, e.g. ['accuracy'].")

    def entry_check(what: str) -> Any:
        def check(entry: Any) -> None:
            if isinstance(entry, str):
                if not 0 < len(entry) <= 200:
                    fail(f"its compile settings name a {what} with an empty or overlong name.")
                return
            if not isinstance(entry, dict) or not (
                    isinstance(entry.get("class_name"), str)
                    or isinstance(entry.get("function"), str)):
                fail(f"its compile settings give the {what} as {str(entry)[:60]!r}: not a name "
                     "or an object with a class name.")
            if "class_name" in entry and not isinstance(entry.get("config", {}), dict):
                fail(f"its compile settings give the {what} {entry['class_name'][:40]!r} a "
                     "config that is not an object.")
        return check

    entry_check("optimizer")(spec.get("optimizer"))
    if spec.get("loss") is not None:
        check_entries(spec.get("loss"), "loss", entry_check("loss"), fail)
    check_entries(metrics, "metric", entry_check("metric"), fail)
    check_entries(spec.get("weighted_metrics"), "weighted metric", entry_check("metric"), fail)

    def number(weight: Any) -> None:
        if not isinstance(weight, (int, float)) or isinstance(weight, bool):
            fail(f"its compile settings give a loss weight {str(weight)[:40]!r} that is not a "
                 "number.")
    check_entries(spec.get("loss_weights"), "loss weight", number, fail)
