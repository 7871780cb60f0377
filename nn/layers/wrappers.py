"""Layers that wrap a layer: ``Bidirectional`` and ``TimeDistributed``."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.input_spec import InputSpec, check_input_spec
from nn.layers.masking import get_mask, resolve_mask, set_mask
from nn.saving.registry import register

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards, and merges both.

    The backward copy reads the sequence from the end; with
    ``return_sequences`` its outputs are flipped back, so step ``t`` of the result
    has seen the past (forward half) and the future (backward half).

    Parameters
    ----------
    layer : RNN
        ``LSTM``, ``GRU``, ``SimpleRNN`` or ``RNN(cell)``; it becomes the forward
        half, renamed ``forward_<name>``.
    merge_mode : ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or None
        None returns ``[forward, backward]`` unmerged.
    backward_layer : RNN, optional
        Your own backward half (it must have ``go_backwards=True``); by default a
        copy of ``layer`` with ``go_backwards`` flipped, named ``backward_<name>``.

    Weights are the forward half's, then the backward half's, as in Keras.

    Examples
    --------
    >>> import nn, numpy as np
    >>> layer = nn.layers.Bidirectional(nn.layers.LSTM(4, return_sequences=True))
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 5, 8)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None  # call puts the mask on a returned sequence itself

    def __init__(self, layer: Any, merge_mode: str | None = "concat",
                 backward_layer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Bidirectional layer '{self.name}': merge_mode must be one of "
                f"{MERGE_MODES}, got {merge_mode!r}.")
        if not hasattr(layer, "go_backwards"):
            raise ValueError(
                f"Bidirectional layer '{self.name}' wraps recurrent layers (LSTM, GRU, "
                f"SimpleRNN, RNN), got {type(layer).__name__}.")
        config = layer.get_config()
        config["name"] = "forward_" + layer.name
        self.forward_layer = type(layer).from_config(config)
        if backward_layer is None:
            config = layer.get_config()
            config["name"] = "backward_" + layer.name
            config["go_backwards"] = not layer.go_backwards
            backward_layer = type(layer).from_config(config)
        self.backward_layer = backward_layer
        # As in Keras: inside a Bidirectional, masked steps output zeros, so that the
        # reversed half's padding does not repeat a state from the other end.
        self.forward_layer.zero_output_for_mask = layer.return_sequences
        self.backward_layer.zero_output_for_mask = layer.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def build(self, input_shape: Any) -> None:
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)
        self.built = True

    def check_input_shape(self, input_shape: Any) -> None:
        check_input_spec(self.forward_layer, input_shape)  # the wrapped layer's contract

    def call(self, inputs: Tensor, initial_state: Any = None, mask: Any = None,
             training: Any = None) -> Any:
        mask = resolve_mask(inputs, mask, f"Bidirectional layer '{self.name}'",
                            tuple(inputs.shape[:2]))
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        forward = self.forward_layer(inputs, initial_state=forward_state, mask=mask,
                                     training=training)
        backward = self.backward_layer(inputs, initial_state=backward_state, mask=mask,
                                       training=training)
        states: list = []
        if self.return_state:
            forward, *forward_states = forward
            backward, *backward_states = backward
            states = forward_states + backward_states
        if self.return_sequences:
            backward = backward[:, ::-1]  # back into the forward order
        output = self._merge(forward, backward)
        if self.return_sequences and mask is not None and self.merge_mode is not None:
            set_mask(output, mask)
        if self.return_state:
            return ([*output] if self.merge_mode is None else [output]) + states
        return output

    def _merge(self, forward: Tensor, backward: Tensor) -> Any:
        if self.merge_mode == "concat":
            return autograd.concatenate([forward, backward], axis=-1)
        if self.merge_mode == "sum":
            return forward + backward
        if self.merge_mode == "mul":
            return forward * backward
        if self.merge_mode == "ave":
            return (forward + backward) * 0.5
        return [forward, backward]

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = self.forward_layer.compute_output_shape(input_shape)
        states: list = []
        if self.return_state:
            shape, *states = shape
            states = states + states
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (shape[-1] * 2,)
        outputs = [tuple(shape), tuple(shape)] if self.merge_mode is None else [tuple(shape)]
        if self.return_state:
            return outputs + states
        return outputs if self.merge_mode is None else outputs[0]

    def get_config(self) -> dict:
        from nn.saving.serialization import serialize

        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize(self.forward_layer),
                "backward_layer": serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Bidirectional:
        from nn.saving.serialization import deserialize

        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects)
        backward = config.pop("backward_layer", None)
        backward = None if backward is None else deserialize(backward, custom_objects)
        # the saved halves already carry their forward_/backward_ names
        new = cls(layer, backward_layer=backward, **config)
        new.forward_layer = layer
        return new


class TimeDistributed(Layer):
    """Applies a layer to every time step: ``(batch, steps, ...)`` in, the layer's
    output per step out, ``(batch, steps, ...)``. The steps share the layer's weights.

    >>> import nn, numpy as np
    >>> nn.layers.TimeDistributed(nn.layers.Dense(2))(np.ones((4, 7, 3))).shape
    (4, 7, 2)
    """

    supports_masking = True  # passes its input's mask on (Keras's rule, masking.py)

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(
                f"TimeDistributed layer '{self.name}' wraps a layer instance, got {layer!r}.")
        self.layer = layer
        self.input_spec = InputSpec(
            min_ndim=3, about="(batch, steps, ...): the wrapped layer runs on every step")

    def build(self, input_shape: Any) -> None:
        self.layer._maybe_build((None,) + tuple(input_shape[2:]))
        self.built = True

    def call(self, inputs: Tensor, mask: Any = None, training: Any = None) -> Tensor:
        batch, steps = inputs.shape[0], inputs.shape[1]
        merged = autograd.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        outputs = self.layer(merged, training=training)
        outputs = autograd.reshape(outputs, (batch, steps) + tuple(outputs.shape[1:]))
        mask = mask if mask is not None else get_mask(inputs)
        return set_mask(outputs, mask) if mask is not None else outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    def get_config(self) -> dict:
        from nn.saving.serialization import serialize

        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> TimeDistributed:
        from nn.saving.serialization import deserialize

        config = dict(config)
        return cls(deserialize(config.pop("layer"), custom_objects), **config)


# The classes a saved file may name (nn/saving/registry.py).
register(Bidirectional)
register(TimeDistributed)
