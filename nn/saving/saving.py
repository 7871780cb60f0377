"""Saving and loading whole models and their weights.

A model file (``model.save(path)``; suggested suffix ``.gradstack``) holds, in
the container of ``container.py``:

- ``"model"``: the architecture, ``{"class_name": ..., "config": model.get_config()}``;
- ``"weights"``: the name and shape of every weight, in ``model.weights`` order,
  with the values as arrays ``weights/0``, ``weights/1``, ...;
- ``"compile"``: the optimizer's config, the loss and the metrics, if compiled;
- the optimizer's state (``optimizer/iterations``, ``optimizer/0/momentum``, ...)
  so that ``fit`` resumes exactly where it stopped.

A weights file (``save_weights``; suggested ``.weights.gradstack``) holds the
weights only. Class names in a file are looked up in
``nn.saving.registry`` (built-ins and classes you registered) - never imported.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

import autograd
import optim
from nn import losses as losses_module
from nn import metrics as metrics_module
from nn.layers import loading

from .compile_structure import map_entries
from .container import read_container, write_container
from .errors import SavedFileError
from .formats import load_format, save_format
from .registry import get_registered_class
from .serialization import from_config
from .validation import (
    StoredWeights,
    check_architecture,
    check_compile_section,
    shape_from_json,
    stored_weight_values,
)

FORMAT_NAME = "gradstack"


def keras_format():
    """nn.saving.keras_format, imported when a Keras file is asked for (it imports
    the model classes, which import this module)."""
    from nn.saving import keras_format

    return keras_format


# ---------------------------------------------------------------------- saving


def save_model(model: Any, filepath: str | os.PathLike) -> None:
    """Save architecture, weights, compile settings and optimizer state.

    >>> model.save("digits.gradstack")                 # doctest: +SKIP
    >>> again = nn.models.load_model("digits.gradstack")  # doctest: +SKIP
    """
    if save_format(filepath, "model") == "keras":  # Keras 3's .keras (nn/saving/keras_format)
        return keras_format().save_keras(model, filepath)
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "kind": "model",
        "model": {"class_name": type(model).__name__, "config": model.get_config()},
        "build_input_shape": _build_input_shape(model),
    }
    arrays = _weight_arrays(model, header)
    # What users save, they can load: the load-time limits are checked now, not later.
    check_architecture(header["model"]["config"], arrays, _save_failer(model, filepath))
    header["compile"] = _compile_config(model) if compile_settings_savable(model) else None
    optimizer = getattr(model, "optimizer", None)
    if header["compile"] is not None and optimizer is not None and optimizer.built:
        for key, value in optimizer.get_state().items():
            arrays["optimizer/" + key] = value
    write_container(filepath, header, arrays)


def save_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Save the values of ``model.weights`` only."""
    if save_format(filepath, "weights") == "keras":  # Keras 3's .weights.h5
        return keras_format().save_keras_weights(model, filepath)
    if not model.built:
        raise ValueError(
            "This model has no weights yet: it is not built. Call it on data, fit it, or call "
            "model.build(input_shape) before save_weights."
        )
    # The input shape lets load_weights build an unbuilt model of the same architecture.
    header: dict[str, Any] = {"format": FORMAT_NAME, "kind": "weights",
                              "build_input_shape": _build_input_shape(model)}
    arrays = _weight_arrays(model, header)
    write_container(filepath, header, arrays)


def _weight_arrays(model: Any, header: dict) -> dict[str, np.ndarray]:
    weights = list(model.weights) if model.built else []
    header["weights"] = [
        {"name": str(w.name or f"weight_{i}"), "shape": list(w.shape)}
        for i, w in enumerate(weights)
    ]
    return {f"weights/{i}": w.numpy() for i, w in enumerate(weights)}


def _build_input_shape(model: Any) -> Any:
    if not model.built:
        return None
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        # A subclassed model has no input layer: the shape of the call that built it.
        shape = getattr(model, "_build_input_shape", None)
        if isinstance(shape, (list, tuple)) and shape and not isinstance(shape[0], (list, tuple)):
            shape = (None, *shape[1:])
        if shape is None:
            return None
    return _jsonable_shape(shape)


def _jsonable_shape(shape: Any) -> Any:
    if isinstance(shape, (list, tuple)):
        return [_jsonable_shape(s) for s in shape]
    return None if shape is None else int(shape)


def compile_settings_savable(model: Any) -> bool:
    """Whether the compile settings go into the file: when the model is compiled."""
    return bool(getattr(model, "compiled", False))


def _compile_config(model: Any) -> dict[str, Any]:
    """The optimizer's config and the loss, loss weights, metrics and weighted
    metrics in the shapes ``compile`` was given them (one per output: a list or a
    dict by output name; ``compile_structure.py``)."""
    optimizer = model.optimizer
    given = getattr(model, "_compile_arguments", {})
    several = len(getattr(model, "_output_loss_trackers", [])) > 1
    loss = given.get("loss") if several else model.loss
    return {
        "optimizer": {"class_name": type(optimizer).__name__, "config": optimizer.get_config()},
        "loss": map_entries(_loss_or_metric_config, loss),
        "loss_weights": _plain_numbers(given.get("loss_weights")),
        "metrics": map_entries(_loss_or_metric_config, given.get(
            "metrics", model._metric_identifiers)) or [],
        "weighted_metrics": map_entries(_loss_or_metric_config, given.get("weighted_metrics")),
    }


def _plain_numbers(weights: Any) -> Any:
    """loss_weights as JSON numbers (NumPy floats become floats)."""
    return map_entries(float, weights)


def _loss_or_metric_config(obj: Any) -> Any:
    """A string stays a string; a built-in or registered class becomes its config;
    a plain function is saved by name and needs ``custom_objects`` to load."""
    if isinstance(obj, str):
        return obj
    fn = getattr(obj, "fn", None)
    if isinstance(obj, (losses_module.LossFunctionWrapper, metrics_module.MeanMetricWrapper)) and \
            type(obj) in (losses_module.LossFunctionWrapper, metrics_module.MeanMetricWrapper):
        return {"function": getattr(fn, "__name__", "custom")}
    if callable(obj) and not hasattr(obj, "get_config"):
        return {"function": getattr(obj, "__name__", "custom")}
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


# ---------------------------------------------------------------------- loading


def load_model(
    filepath: str | os.PathLike, custom_objects: dict[str, Any] | None = None,
    compile: bool = True,
) -> Any:
    """Load a model saved with ``model.save``: architecture, weights, and (with
    ``compile=True``) the compile settings and optimizer state.

    Raises ``SavedFileError`` (a ValueError, with the original error as its
    ``__cause__``) for a damaged, foreign, hostile or inconsistent file. Classes
    the file names must be gradstack built-ins, registered with
    ``nn.saving.register_serializable``, or in ``custom_objects``. The whole file
    is checked before the model is returned - the compile section too - and
    building never allocates a weight the file does not store (no initializer
    runs: the weights start as the file's values). Loading does not consume
    random numbers: the generator behind ``set_random_seed`` is left as it was.
    """
    if load_format(filepath, "model") == "keras":  # a .keras zip, whatever its name
        return keras_format().load_keras(filepath, custom_objects, compile)
    header, arrays = read_container(filepath)
    fail = _failer(filepath)
    with _one_error_type(filepath, "its model could not be rebuilt"):
        return _load_model(header, arrays, custom_objects, compile, filepath, fail)


def _load_model(header: dict, arrays: dict, custom_objects: dict | None, compile: bool,
                filepath: str | os.PathLike, fail) -> Any:
    if header.get("format") != FORMAT_NAME or header.get("kind") != "model":
        kind = header.get("kind")
        hint = " Use model.load_weights() for a weights file." if kind == "weights" else ""
        fail(f"it is not a saved model (kind {str(kind)[:20]!r}).{hint}")
    spec = header.get("model")
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str) \
            or not isinstance(spec.get("config"), dict):
        fail("its header has no model architecture.")
    # Everything the header says is checked before anything is built.
    check_architecture(spec["config"], arrays, fail)
    build_shape = header.get("build_input_shape")
    if build_shape is not None:
        build_shape = shape_from_json(build_shape, fail, stored_weight_values(arrays))
    compile_spec = header.get("compile") if compile else None
    if compile_spec is not None:
        check_compile_section(compile_spec, fail)
    model = _rebuild_model(spec, build_shape, arrays, custom_objects, fail)
    _assign_weights(model, header, arrays, fail)
    if compile_spec is not None:
        _restore_compile(model, compile_spec, arrays, custom_objects, filepath, fail)
    return model


def load_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Load weights (from a weights file or a model file) into ``model``.

    An unbuilt model is built for the input shape the file records, its weights
    taken from the file (no initializer runs). Raises ``SavedFileError`` for a
    damaged, foreign or hostile file, or one saved from another architecture.
    """
    kind = load_format(filepath, "weights")
    if kind != "gradstack":  # Keras 3's .weights.h5, or the weights inside a .keras
        return keras_format().load_keras_weights(model, filepath)
    header, arrays = read_container(filepath)
    fail = _failer(filepath)
    if header.get("format") != FORMAT_NAME or header.get("kind") not in ("weights", "model"):
        fail("it is not a gradstack weights or model file.")
    if not model.built:
        shape = header.get("build_input_shape")
        if shape is None:
            raise ValueError(
                "load_weights needs a built model: call it on data or call "
                "model.build(input_shape) first, so that it has weights to fill."
            )
        shape = shape_from_json(shape, fail, stored_weight_values(arrays))
        with _one_error_type(filepath, "the model could not be built for it"), \
                loading.weights_from(StoredWeights(arrays, fail)):
            model.build(shape)
    with _one_error_type(filepath, "its weights could not be loaded"):
        _assign_weights(model, header, arrays, fail)


def _save_failer(model: Any, path: str | os.PathLike):
    def fail(problem: str, cause: BaseException | None = None):
        raise ValueError(
            f"Cannot save model '{getattr(model, 'name', '?')}' to {os.fspath(path)!r}: the "
            f"file could not be loaded back, because {problem}")

    return fail


def _failer(path: str | os.PathLike):
    def fail(problem: str, cause: BaseException | None = None):
        if cause is None:
            raise SavedFileError(path, problem)
        raise SavedFileError(path, problem) from cause

    return fail


@contextlib.contextmanager
def _one_error_type(path: str | os.PathLike, what: str) -> Iterator[None]:
    """Whatever goes wrong while a file's contents are turned into objects is the
    file's fault as far as the caller can tell: raise ``SavedFileError``, chained
    to the original error (which stays in ``__cause__`` for debugging)."""
    try:
        yield
    except SavedFileError:
        raise
    except Exception as err:  # the promise: one error type for any damaged or hostile file
        raise SavedFileError(
            path, f"{what} ({type(err).__name__}: {str(err)[:300]})."
        ) from err


def _rebuild_model(spec: dict, build_shape: Any, arrays: dict, custom_objects: dict | None,
                   fail) -> Any:
    from nn.models.training import Trainer

    if not _is_class_name(spec["class_name"]):
        fail(f"its model class {spec['class_name'][:80]!r} is not a class name (a file may only "
             "name registered classes, never modules, paths or URLs).")
    try:
        cls = get_registered_class(spec["class_name"], custom_objects)
    except KeyError as err:
        fail(f"it names the model class {spec['class_name'][:80]!r}, which is not known. "
             f"{err.args[0] if err.args else ''}", err)
    if not (isinstance(cls, type) and issubclass(cls, Trainer)):
        fail(f"it names {spec['class_name'][:80]!r} as the model class, but that is not a model.")
    # Weights take the file's values (StoredWeights) instead of initializers; a custom
    # layer may still draw random numbers, so keep the global generator's state so that
    # loading a model does not change what the next shuffle or dropout mask will be.
    generator = autograd.get_generator()
    state = generator.bit_generator.state
    try:  # any error here becomes a SavedFileError in _one_error_type, chained to it
        with loading.weights_from(StoredWeights(arrays, fail)):
            model = from_config(cls, spec["config"], custom_objects)
            if not model.built and build_shape is not None:
                model.build(build_shape)
    finally:
        generator.bit_generator.state = state
    return model


def _assign_weights(model: Any, header: dict, arrays: dict[str, np.ndarray], fail) -> None:
    declared = header.get("weights")
    if not isinstance(declared, list):
        fail("its header has no list of weights.")
    if not model.built:
        # Saved before it was built (Keras 3 round-trips that too): nothing to fill yet;
        # the first call or fit builds it.
        if declared:
            fail(f"it holds {len(declared)} weights but its model is not built, so nothing "
                 "would receive them.")
        return
    weights = list(model.weights)
    if len(declared) != len(weights):
        fail(f"it holds {len(declared)} weights but the model has {len(weights)}: it was saved "
             "from a model with another architecture.")
    values = []
    for i, w in enumerate(weights):
        value = arrays.get(f"weights/{i}")
        if value is None:
            fail(f"weight {i} ({w.name}) is missing from the file.")
        if tuple(value.shape) != tuple(w.shape):
            fail(f"weight {i} ({w.name}) has shape {tuple(value.shape)} in the file but "
                 f"{tuple(w.shape)} in the model: it was saved from another architecture.")
        if value.dtype.kind != w.dtype.kind:
            fail(f"weight {i} ({w.name}) is {value.dtype} in the file but {w.dtype} in the model.")
        values.append(value)
    with autograd.no_grad():
        for w, value in zip(weights, values, strict=False):
            w.copy_(value)


def _restore_compile(model: Any, spec: dict, arrays: dict, custom_objects: dict | None,
                     path: str | os.PathLike, fail) -> None:
    try:
        optimizer = _resolve_object(spec.get("optimizer"), optim.BUILTIN_OPTIMIZERS,
                                    optim.Optimizer, custom_objects, "optimizer")
        loss = map_entries(lambda entry: _resolve_object(
            entry, losses_module.BUILTIN_LOSSES, losses_module.Loss, custom_objects, "loss"),
            spec.get("loss"))

        def metric(entry: Any) -> Any:
            return _resolve_object(entry, metrics_module.BUILTIN_METRICS, metrics_module.Metric,
                                   custom_objects, "metric")
        metrics = map_entries(metric, spec.get("metrics")) or []
        weighted = map_entries(metric, spec.get("weighted_metrics"))
    except _CustomFunctionMissing as missing:
        warnings.warn(
            f"The model in {os.fspath(path)!r} was compiled with the custom "
            f"{missing.kind} {missing.name!r}; it was loaded without compile(). Pass "
            f"custom_objects={{{missing.name!r}: {missing.name}}} to restore it, or call "
            "compile() yourself.",
            stacklevel=4,
        )
        return
    except (KeyError, TypeError, ValueError) as err:
        fail(f"its compile settings are invalid ({type(err).__name__}: {str(err)[:300]}).", err)
    for given in (metrics, weighted):  # names compile() would only resolve at the first fit
        map_entries(lambda m: _check_metric_name(m, fail) if isinstance(m, str) else None,
                    given)
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                      loss_weights=spec.get("loss_weights"), weighted_metrics=weighted)
    except (KeyError, TypeError, ValueError) as err:
        fail(f"its compile settings are invalid ({type(err).__name__}: {str(err)[:300]}).", err)
    state = {name[len("optimizer/"):]: a for name, a in arrays.items()
             if name.startswith("optimizer/")}
    if state:
        if not model.built:
            fail("it holds optimizer state for a model that is not built.")
        optimizer.build(model.trainable_weights)
        try:
            optimizer.set_state(state)
        except ValueError as err:
            fail(f"its optimizer state does not fit the model ({err}).", err)


def _check_metric_name(name: str, fail) -> None:
    try:  # "accuracy" is resolved from shapes at fit time; any shapes tell it is known
        metrics_module.get(name, None, (1,), (1, 2))
    except ValueError as err:
        fail(f"its compile settings name the metric {name[:60]!r}, which is not known "
             f"({str(err)[:200]}).", err)


def _is_class_name(name: Any) -> bool:
    """A bare identifier such as "Dense": no dots, slashes or colons."""
    return isinstance(name, str) and len(name) <= 200 and name.isidentifier()


class _CustomFunctionMissing(Exception):
    def __init__(self, kind: str, name: str) -> None:
        self.kind, self.name = kind, name


def _resolve_object(spec: Any, builtins: tuple, base: type, custom_objects: dict | None,
                    kind: str) -> Any:
    """Turn a saved loss / metric / optimizer entry back into an object."""
    if isinstance(spec, str):
        return spec  # a name such as "mse" or "accuracy": compile() resolves it
    if not isinstance(spec, dict):
        raise TypeError(f"a {kind} entry must be a name or an object, got {type(spec).__name__}")
    if "function" in spec:
        name = str(spec["function"])
        if custom_objects and callable(custom_objects.get(name)):
            return custom_objects[name]
        raise _CustomFunctionMissing(kind, name)
    name = spec.get("class_name")
    config = spec.get("config", {})
    if not _is_class_name(name) or not isinstance(config, dict):
        raise TypeError(f"a {kind} entry needs a class name and a config object")
    cls = next((c for c in builtins if c.__name__ == name), None)
    if cls is None:
        cls = get_registered_class(name, custom_objects)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(f"{name!r} is not a {kind} class")
    if base is optim.Optimizer:
        return cls.from_config(config, lookup=lambda n: get_registered_class(n, custom_objects))
    return cls.from_config(config)
