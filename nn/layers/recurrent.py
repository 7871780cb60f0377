"""Recurrent layers: ``RNN(cell)`` and ``SimpleRNN``, ``LSTM``, ``GRU``.

A recurrent layer reads a sequence ``(batch, steps, features)`` one step at a
time, carrying a state from step to step. ``RNN`` does the bookkeeping Keras
users expect (``return_sequences``, ``return_state``, ``go_backwards``,
``stateful``, ``initial_state=``, dropout masks, masking) and hands the sequence
to its cell: a built-in cell runs it as one fused op (``cell.sequence``), any
other cell - your own - is stepped in a Python loop with ordinary ops.

Masked steps (from ``Embedding(mask_zero=True)``, ``Masking`` or ``mask=``)
carry the state through unchanged, and the output at a masked step repeats the
previous one, as in Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from nn.layers.base import Layer
from nn.layers.input_spec import InputSpec
from nn.layers.masking import resolve_mask, set_mask
from nn.layers.recurrent_cells import GRUCell, LSTMCell, SimpleRNNCell
from nn.saving.registry import register


def _sequences(features: int | None = None) -> InputSpec:
    """(batch, steps, features); once built, as many features as the cell's kernel has."""
    return InputSpec(
        ndim=3, axes={-1: features} if features else None, layout=("batch", "steps", "features"),
        hints={2: "A 2-D input has no time axis; for token ids, put an Embedding layer first.",
               "list": "Pass initial states as initial_state=[...]."})


class RNN(Layer):
    """Runs a cell over the time axis of ``(batch, steps, features)`` inputs.

    Parameters
    ----------
    cell : Layer
        Has ``state_size`` (an int or a list of ints) and
        ``call(inputs, states) -> (output, new_states)``.
    return_sequences : bool
        Return the output of every step ``(batch, steps, units)``, not only the last.
    return_state : bool
        Also return the final states: ``[output, *states]``.
    go_backwards : bool
        Read the sequence from the end; the returned sequence is then reversed too.
    stateful : bool
        Start each batch from the final states of the previous one (sample ``i``
        continues sample ``i``); ``reset_states()`` goes back to zeros.
    unroll : bool
        Accepted for Keras compatibility; it changes nothing here.
    zero_output_for_mask : bool
        With ``return_sequences``, output zeros (instead of the previous output)
        at masked steps.

    Call arguments: ``layer(inputs, initial_state=None, mask=None, training=None)``.

    Examples
    --------
    >>> import nn, numpy as np
    >>> class MinimalCell(nn.layers.Layer):
    ...     state_size = 2
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1], 2), name="w")
    ...     def call(self, x, states):
    ...         h = x @ self.w + states[0]
    ...         return h, [h]
    >>> nn.layers.RNN(MinimalCell())(np.ones((4, 7, 3))).shape
    (4, 2)
    """

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            raise ValueError(
                f"RNN layer '{self.name}': stacked cells (a list) are not supported; stack "
                "recurrent layers instead, with return_sequences=True on all but the last.")
        if not hasattr(cell, "state_size"):
            raise ValueError(
                f"RNN layer '{self.name}': the cell {cell!r} has no `state_size`. A cell is a "
                "layer with a state_size attribute and call(inputs, states) returning "
                "(output, new_states).")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states: list[Tensor] | None = None  # the carried states of a stateful layer
        self.input_spec = _sequences()

    # ------------------------------------------------------------------ shapes
    def _state_sizes(self) -> list[int]:
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def _output_size(self) -> int:
        return getattr(self.cell, "output_size", self._state_sizes()[0])

    def build(self, input_shape: Any) -> None:
        if not self.cell.built:
            self.cell._maybe_build((input_shape[0],) + tuple(input_shape[2:]))
        kernel = getattr(self.cell, "kernel", None)  # what the cell's weights are for
        self.input_spec = _sequences(kernel.shape[0] if kernel is not None else None)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch, steps = input_shape[0], input_shape[1]
        units = self._output_size()
        output = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return [output] + [(batch, size) for size in self._state_sizes()]
        return output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._state_sizes())
        return output_mask

    # ------------------------------------------------------------------ call
    def call(self, inputs: Tensor, initial_state: Any = None, mask: Any = None,
             training: Any = None) -> Any:
        batch, steps = inputs.shape[0], inputs.shape[1]
        mask = resolve_mask(inputs, mask, f"{type(self).__name__} layer '{self.name}'",
                            (batch, steps))
        states = self._initial_states(initial_state, batch, inputs.dtype)
        input_mask = mask
        x = inputs
        if self.go_backwards:
            x = x[:, ::-1]
            mask = None if mask is None else mask[:, ::-1]
        input_drop, state_drop = (None, None)
        if hasattr(self.cell, "dropout_masks"):
            input_drop, state_drop = self.cell.dropout_masks(x.shape, x.dtype, training)
        if input_drop is not None:
            x = x * autograd.tensor(input_drop[:, None, :])  # the same mask at every step
        if hasattr(self.cell, "sequence") and self.cell.fused_activations() is not None:
            outputs, final_states = self.cell.sequence(x, states, mask, state_drop)
        else:
            outputs, final_states = self._step_loop(x, states, mask, state_drop, training)
        if self.stateful:
            self.states = [autograd.tensor(s.numpy().copy()) for s in final_states]
        if self.return_sequences:
            if mask is not None and self.zero_output_for_mask:
                outputs = outputs * autograd.tensor(mask[:, :, None].astype(outputs.dtype))
            output = outputs
            if mask is not None:  # Keras passes the input's mask on, even when reversed
                set_mask(output, input_mask)
        else:
            output = final_states[0] if outputs is None else outputs[:, -1]
        if self.return_state:
            return [output, *final_states]
        return output

    def _initial_states(self, initial_state: Any, batch: int, dtype: Any) -> list | None:
        sizes = self._state_sizes()
        if initial_state is None and self.stateful and self.states is not None:
            if self.states[0].shape[0] != batch:
                raise ValueError(
                    f"Stateful layer '{self.name}' carries states for batches of "
                    f"{self.states[0].shape[0]} samples, but got a batch of {batch}. A stateful "
                    "layer needs the same batch size on every call (fit with shuffle=False "
                    "and a batch_size dividing the data); call reset_states() to start over.")
            return list(self.states)
        if initial_state is None:
            return None
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        if len(states) != len(sizes):
            raise ValueError(
                f"Layer '{self.name}' has {len(sizes)} state(s) of sizes {sizes}, but "
                f"initial_state has {len(states)}. An LSTM takes [h, c]; a GRU or SimpleRNN [h].")
        states = [s if isinstance(s, Tensor) else autograd.tensor(np.asarray(s, dtype))
                  for s in states]
        for state, size in zip(states, sizes):
            if tuple(state.shape) != (batch, size):
                raise ValueError(
                    f"Layer '{self.name}': an initial state must have shape (batch, units) = "
                    f"{(batch, size)}, got {tuple(state.shape)}.")
        return states

    def _step_loop(self, x, states, mask, state_drop, training) -> tuple:
        """The generic path: call the cell at every step with ordinary ops."""
        batch, steps = x.shape[0], x.shape[1]
        if states is None:
            states = [autograd.zeros(batch, size, dtype=x.dtype) for size in self._state_sizes()]
        outputs = []
        output = None
        for t in range(steps):
            cell_states = states
            if state_drop is not None:
                cell_states = [states[0] * autograd.tensor(state_drop)] + list(states[1:])
            new_output, new_states = self.cell(x[:, t], cell_states)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) \
                else [new_states]
            if mask is not None:
                keep = autograd.tensor(mask[:, t, None])
                previous = new_output * 0.0 if output is None else output
                new_output = autograd.where(keep, new_output, previous)
                new_states = [autograd.where(keep, n, s) for n, s in zip(new_states, states)]
            output, states = new_output, new_states
            outputs.append(output)
        return autograd.stack(outputs, axis=1), states

    def reset_states(self, states: Any = None) -> None:
        """Set a stateful layer's states to zeros (or to the given arrays)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' is not stateful; pass stateful=True.")
        if states is None:
            self.states = None
        else:
            self.states = [autograd.tensor(np.asarray(s, np.float32)) for s in states]

    def get_config(self) -> dict:
        from nn.saving.serialization import serialize

        config = {**super().get_config(), **self._rnn_config()}
        config["cell"] = serialize(self.cell)
        return config

    def _rnn_config(self) -> dict:
        return {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> RNN:
        from nn.saving.serialization import deserialize

        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects)
        return cls(cell, **config)


# Arguments the three layers pass to their cell rather than keep themselves.
_RNN_ARGUMENTS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                  "zero_output_for_mask", "name", "trainable", "dtype", "input_shape",
                  "batch_input_shape", "batch_size", "input_dim", "activity_regularizer")


class _BuiltinRNN(RNN):
    """SimpleRNN/LSTM/GRU: the cell's arguments are the layer's, as in Keras."""

    cell_class: type = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units: int, **kwargs: Any) -> None:
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _RNN_ARGUMENTS}
        cell = self.cell_class(units, name=self.cell_name, dtype=layer_kwargs.get("dtype"),
                               **kwargs)
        super().__init__(cell, **layer_kwargs)

    def __getattr__(self, name: str) -> Any:
        # units, activation, dropout, ... are read from the cell, as Keras does
        cell = self.__dict__.get("cell")
        if cell is not None and not name.startswith("_") and name in cell.get_config():
            return getattr(cell, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self) -> dict:
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**Layer.get_config(self), **cell_config, **self._rnn_config()}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> RNN:
        return cls(**config)


class SimpleRNN(_BuiltinRNN):
    """A fully connected RNN: ``h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.

    Arguments as in Keras: ``units, activation="tanh", use_bias=True,
    kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
    bias_initializer="zeros"``, the regularizers, ``dropout``, ``recurrent_dropout``,
    ``seed``, and the ``RNN`` arguments (``return_sequences`` ...).

    >>> import nn, numpy as np
    >>> nn.layers.SimpleRNN(4, return_sequences=True)(np.ones((2, 5, 3))).shape
    (2, 5, 4)
    """

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"


class LSTM(_BuiltinRNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), as Keras defines it.

    Weights: ``kernel (features, 4*units)``, ``recurrent_kernel (units, 4*units)``,
    ``bias (4*units,)``, gates in the order i, f, c, o. Arguments as in Keras:
    ``units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
    kernel_initializer, recurrent_initializer="orthogonal", bias_initializer,
    unit_forget_bias=True``, regularizers, ``dropout``, ``recurrent_dropout``,
    ``seed``, and the ``RNN`` arguments. The states are ``[h, c]``.

    >>> import nn, numpy as np
    >>> out, h, c = nn.layers.LSTM(8, return_state=True)(np.ones((2, 5, 3)))
    >>> out.shape, c.shape
    ((2, 8), (2, 8))
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"


class GRU(_BuiltinRNN):
    """Gated recurrent unit (Cho et al., 2014), as Keras defines it.

    Weights: ``kernel (features, 3*units)``, ``recurrent_kernel (units, 3*units)``,
    ``bias (2, 3*units)`` with ``reset_after=True`` (the default) or ``(3*units,)``,
    gates in the order z, r, h. Other arguments as for ``LSTM`` (no
    ``unit_forget_bias``).

    >>> import nn, numpy as np
    >>> nn.layers.GRU(8)(np.ones((2, 5, 3))).shape
    (2, 8)
    """

    cell_class = GRUCell
    cell_name = "gru_cell"


# The classes a saved file may name (nn/saving/registry.py).
register(RNN)
register(SimpleRNN)
register(LSTM)
register(GRU)
