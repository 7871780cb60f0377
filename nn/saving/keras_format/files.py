"""Keras 3 files in and out: ``.keras`` models and ``.weights.h5`` weights.

``nn.saving.save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``
come here when the path ends in ``.keras`` or ``.weights.h5``. The same safety
rules hold as for gradstack's own format: nothing in a file is executed, a
class is found only in the registry, a damaged or hostile file raises one
``SavedFileError``, and a failed load leaves the model as it was.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import autograd
import optim
from nn import losses as losses_module
from nn.layers import loading
from nn.models.functional import Functional
from nn.models.sequential import Sequential
from nn.saving.compile_structure import map_entries
from nn.saving.container import atomic_write
from nn.saving.errors import SavedFileError
from nn.saving.keras_format import archive, h5_weights
from nn.saving.keras_format.layer_configs import KerasConfigError
from nn.saving.keras_format.model_configs import from_keras, to_keras
from nn.saving.keras_format.optimizer_state import (
    keras_optimizer_arrays,
    restore_keras_optimizer,
)
from nn.saving.validation import WeightBudget

# Written into metadata.json: the Keras 3 release whose format this follows.
KERAS_VERSION = "3.15.1"

# Keras optimizer arguments gradstack's optimizers do not have, with the value
# that means "what gradstack does".
_KERAS_ONLY_OPTIMIZER = {"use_ema": False, "ema_momentum": None, "ema_overwrite_frequency": None,
                         "loss_scale_factor": None, "gradient_accumulation_steps": None}

_KERAS_ONLY_LOSS = {"ignore_class": None, "axis": -1, "dtype": None}


def _failer(path: str | os.PathLike):
    def fail(problem: str):
        raise SavedFileError(path, problem)

    return fail


# ---------------------------------------------------------------------- writing


def save_keras(model: Any, filepath: str | os.PathLike) -> None:
    """Write ``model`` as a Keras 3 ``.keras`` archive (architecture, weights and,
    when compiled, the compile settings)."""
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' is not built, so it has no weights to save. Call it on "
            "data, fit it, or call model.build(input_shape) first.")
    if not isinstance(model, (Sequential, Functional)):
        raise TypeError(
            f"Cannot write '{model.name}' ({type(model).__name__}) to a .keras file: a "
            "subclassed model is Python code that Keras would need too. Build it as "
            "nn.Sequential or nn.Model(inputs, outputs), or save it as .gradstack.")
    config = to_keras(model)
    from nn.saving.saving import compile_settings_savable

    compiled = compile_settings_savable(model)
    config["compile_config"] = _compile_config(model) if compiled else None
    optimizer = model.optimizer if compiled else None
    arrays = keras_optimizer_arrays(optimizer, model) if compiled else None
    weights = h5_weights.write_weights(model, optimizer, arrays)
    archive.write_archive(filepath, config, weights, KERAS_VERSION)


def save_keras_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Write ``model``'s weights in Keras 3's ``.weights.h5`` layout."""
    if not model.built:
        raise ValueError("This model has no weights yet: it is not built. Call it on data, fit "
                         "it, or call model.build(input_shape) before save_weights.")
    atomic_write(filepath, [h5_weights.write_weights(model)])


def _compile_config(model: Any) -> dict:
    optimizer = model.optimizer
    opt_config = dict(optimizer.get_config())
    lr = opt_config.get("learning_rate")
    if isinstance(lr, dict):
        opt_config["learning_rate"] = {"module": "keras.optimizers.schedules", **lr,
                                       "registered_name": None}
    # Keras 3 writes loss, loss_weights, metrics and weighted_metrics as compile() was
    # given them: one entry, a list, or a dict by output name (compile_structure.py).
    given = getattr(model, "_compile_arguments", {})
    several = len(getattr(model, "_output_loss_trackers", [])) > 1
    loss = given.get("loss") if several else model.loss

    def metric(entry: Any) -> Any:
        return _loss_or_metric(entry, "keras.metrics")

    return {
        "optimizer": {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
                      "config": opt_config, "registered_name": None},
        "loss": map_entries(lambda entry: _loss_or_metric(entry, "keras.losses"), loss),
        "loss_weights": map_entries(float, given.get("loss_weights")),
        "metrics": map_entries(metric, given.get("metrics", model._metric_identifiers)) or None,
        "weighted_metrics": map_entries(metric, given.get("weighted_metrics")) or None,
        "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False,
    }


def _loss_or_metric(obj: Any, module: str) -> Any:
    if obj is None or isinstance(obj, str):
        return obj
    if hasattr(obj, "get_config") and type(obj).__name__ not in (
            "LossFunctionWrapper", "MeanMetricWrapper"):
        return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": None}
    raise TypeError(
        f"Cannot write the compile settings to a .keras file: {obj!r} is a plain function, "
        "which Keras could not find. Compile with a name ('mse') or a built-in loss/metric "
        "class, or save as .gradstack.")


# ---------------------------------------------------------------------- reading


def load_keras(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True) -> Any:
    """Read a Keras 3 ``.keras`` file into gradstack's layers."""
    fail = _failer(filepath)
    config, weights = archive.read_archive(filepath)
    _check_numbers(config, len(weights), fail)
    try:
        spec = from_keras(config, custom_objects)
    except KerasConfigError as err:
        fail(str(err))
    h5_weights.open_weights(weights, fail).close()  # not HDF5 at all: say so before building
    model = _build(spec, custom_objects, len(weights), fail)
    h5_weights.read_weights(model, weights, fail)
    compile_config = config.get("compile_config")
    if compile and compile_config and _restore_compile(model, compile_config, filepath):
        arrays = h5_weights.read_optimizer_arrays(weights)
        if arrays is not None and not restore_keras_optimizer(model.optimizer, model, arrays):
            warnings.warn(
                f"The optimizer state in {os.fspath(filepath)!r} does not fit this "
                f"{type(model.optimizer).__name__}; training starts with a fresh optimizer.",
                stacklevel=3)
    return model


def load_keras_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Read a Keras 3 ``.weights.h5`` file (or the weights of a ``.keras`` file) into a
    built ``model``."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path!r}")
    if not model.built:
        raise ValueError("load_weights needs a built model: call it on data or call "
                         "model.build(input_shape) first, so that it has weights to fill.")
    if archive.is_zip(path):  # Keras's load_weights also takes a whole .keras file
        _, blob = archive.read_archive(path)
    else:
        with open(path, "rb") as f:
            blob = f.read()
    h5_weights.read_weights(model, blob, _failer(path))


def _check_numbers(config: dict, file_bytes: int, fail) -> None:
    """Refuse architectures whose numbers no file of this size could fill (a
    1-million-unit Dense layer in a 10 kB file): every integer must be at most
    max(file size, 65536), random seeds excepted. Stops absurd allocations while
    building, before the weights are compared."""
    limit = max(file_bytes, 65536)
    stack: list[Any] = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(v for k, v in item.items() if k not in ("seed", "shared_object_id"))
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > limit:
            fail(f"its architecture holds the number {item}, far larger than a file of "
                 f"{file_bytes} bytes of weights can use; refusing to build it.")
        elif isinstance(item, str) and len(item) > 10_000:
            fail("its architecture holds a string longer than 10,000 characters.")


def _build(spec: dict, custom_objects: dict | None, weights_bytes: int, fail) -> Any:
    from nn.models.training import Trainer
    from nn.saving.serialization import deserialize

    # The weights start as zeros (read_weights fills every one or fails), at most as
    # many bytes as the weights file holds; a custom layer may still draw random
    # numbers, so keep the global generator as it was.
    generator = autograd.get_generator()
    state = generator.bit_generator.state
    try:
        with loading.weights_from(WeightBudget(weights_bytes, fail)):
            model = deserialize(spec, custom_objects)
            if not isinstance(model, Trainer):
                fail(f"it holds a {spec['class_name']!r}, not a model.")
            shape = spec.get("build_input_shape")
            if not model.built and isinstance(shape, list):
                model.build(tuple(shape))
    except SavedFileError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, MemoryError) as err:
        fail(f"its architecture could not be rebuilt in gradstack ({type(err).__name__}: "
             f"{str(err)[:300]}).")
    finally:
        generator.bit_generator.state = state
    if not model.built:
        fail("its model has no input shape, so gradstack cannot create its weights.")
    return model


def _restore_compile(model: Any, spec: Any, path: str | os.PathLike) -> bool:
    """Compile as the Keras file says, where gradstack has the same pieces; warn and
    leave the model uncompiled otherwise (the weights are loaded either way)."""
    try:
        optimizer = _optimizer_from_keras(spec.get("optimizer"))
        # Each of these is one entry, a list or a dict by output name, as Keras wrote it.
        loss = map_entries(_loss_entry, spec.get("loss"))
        metrics = map_entries(_metric_entry, spec.get("metrics")) or []
        weighted = map_entries(_metric_entry, spec.get("weighted_metrics"))
        weights = map_entries(_number_entry, spec.get("loss_weights"))
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=weights,
                      weighted_metrics=weighted)
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        warnings.warn(
            f"The model in {os.fspath(path)!r} was loaded without compile(): its Keras "
            f"compile settings could not be used ({str(err)[:200]}). Call compile() yourself.",
            stacklevel=4)
        return False
    return True


def _loss_entry(entry: Any) -> Any:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return _loss_from_keras(entry)
    raise TypeError(f"a loss is given as {str(entry)[:40]!r}, neither a name nor an object")


def _metric_entry(entry: Any) -> Any:
    if not isinstance(entry, str):
        raise ValueError("only metrics given by name are read from Keras files")
    return entry


def _number_entry(entry: Any) -> Any:
    if not isinstance(entry, (int, float)) or isinstance(entry, bool):
        raise TypeError(f"a loss weight is {str(entry)[:40]!r}, not a number")
    return entry


def _optimizer_from_keras(spec: Any) -> Any:
    if isinstance(spec, str):
        return spec
    if not isinstance(spec, dict):
        raise TypeError("the optimizer is neither a name nor an object")
    name = spec.get("class_name")
    cls = next((c for c in optim.BUILTIN_OPTIMIZERS if c.__name__ == name), None)
    if cls is None:
        raise ValueError(f"gradstack has no optimizer {str(name)[:40]!r}")
    config = dict(spec.get("config") or {})
    for key, expected in _KERAS_ONLY_OPTIMIZER.items():
        value = config.pop(key, expected)
        if value != expected and key != "ema_momentum":
            raise ValueError(f"the optimizer sets {key}={value!r}, which gradstack lacks")
    if isinstance(config.get("learning_rate"), dict):
        lr = config["learning_rate"]
        config["learning_rate"] = {"class_name": lr.get("class_name"),
                                   "config": lr.get("config")}
    return cls.from_config(config)


def _loss_from_keras(spec: dict) -> Any:
    name = spec.get("class_name")
    cls = next((c for c in losses_module.BUILTIN_LOSSES if c.__name__ == name), None)
    if cls is None:
        raise ValueError(f"gradstack has no loss {str(name)[:40]!r}")
    config = dict(spec.get("config") or {})
    for key, default in _KERAS_ONLY_LOSS.items():
        value = config.pop(key, default)
        if value != default:
            raise ValueError(f"the loss sets {key}={value!r}, which gradstack lacks")
    return cls.from_config(config)
