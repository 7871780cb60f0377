"""New models from old ones: ``clone_model`` and ``model_from_json``.

Both give the same architecture with **new** weights (initialized afresh), as in
Keras; copy the weights yourself with ``clone.set_weights(model.get_weights())``.

>>> import nn
>>> model = nn.Sequential([nn.Input((3,)), nn.layers.Dense(2)])
>>> clone = nn.models.clone_model(model)
>>> clone is model, [w.shape for w in clone.get_weights()]
(False, [(3, 2), (2,)])
>>> nn.models.model_from_json(model.to_json()).output_shape
(None, 2)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nn.saving.serialization import deserialize, serialize


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """The model ``model.to_json()`` describes (new weights). Classes resolve as when
    loading a file: built-ins, registered classes and ``custom_objects`` only."""
    try:
        data = json.loads(json_string)
    except json.JSONDecodeError as err:
        raise ValueError(f"model_from_json: not valid JSON ({err}). Pass the string that "
                         "model.to_json() returned.") from err
    return deserialize(data, custom_objects)


def clone_model(model: Any, input_tensors: Any = None,
                clone_function: Callable | None = None) -> Any:
    """A new model with ``model``'s architecture and freshly initialized weights.

    ``clone_function(layer) -> layer`` makes each new layer of a ``Sequential``
    (by default a layer from ``layer.get_config()``), e.g. to change an option on
    the way. Functional models are cloned from their config; ``input_tensors`` and
    ``clone_function`` are supported for ``Sequential`` only.
    """
    from nn.models.sequential import Sequential

    if input_tensors is not None:
        raise NotImplementedError("clone_model(input_tensors=...) is not supported; clone, "
                                  "then call the clone on your tensors.")
    if isinstance(model, Sequential):
        if clone_function is None:
            return deserialize(serialize(model))
        clone = Sequential(name=model.name)
        if model._explicit_input:  # the nn.Input it was given, as a new input layer
            clone.add(deserialize(serialize(model._input_layer)))
        for layer in model.layers:
            clone.add(clone_function(layer))
        return clone
    if clone_function is not None:
        raise NotImplementedError("clone_model(clone_function=...) works for Sequential models; "
                                  f"{type(model).__name__} models are cloned from their config.")
    return deserialize(serialize(model))
