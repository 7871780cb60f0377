"""``InputLayer`` and ``Input``: where a model's data comes in.

``nn.Input(shape=(4,))`` returns a symbolic ``KerasTensor`` of shape ``(None, 4)``:
the shape of one sample, with the batch axis left unknown. Calling layers on it
builds a model's graph without computing anything.

>>> import nn
>>> nn.clear_session()
>>> nn.Input(shape=(784))      # an int is read as (784,), as in Keras
<KerasTensor: shape=(None, 784) dtype=float32 (created by layer 'input_1')>
"""

from __future__ import annotations

from typing import Any

from nn.layers.base import Layer
from nn.layers.naming import unique_name
from nn.layers.symbolic import KerasTensor, Node, as_shape
from nn.saving.registry import register


class InputLayer(Layer):
    """The first layer of a functional model: it holds the input's shape and dtype.

    Parameters
    ----------
    input_shape : tuple or int
        The shape of one sample, without the batch axis.
    batch_size : int, optional
        A fixed batch size, if the model needs one.
    dtype : str, optional
        ``"float32"`` by default.
    name : str, optional
        ``input_1``, ``input_2``, ... by default (counted from 1, as in Keras 2).
    batch_input_shape : tuple, optional
        The full shape including the batch axis, instead of the two above.

    Examples
    --------
    >>> import nn
    >>> layer = nn.layers.InputLayer(input_shape=(28, 28, 1), name="images")
    >>> layer.output.shape
    (None, 28, 28, 1)
    """

    def __init__(
        self,
        input_shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        name: str | None = None,
        batch_input_shape: Any = None,
        **kwargs: Any,
    ) -> None:
        if name is None:
            name = unique_name("input", zero_based=False)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_input_shape is not None:
            shape = as_shape(batch_input_shape)
        elif input_shape is not None:
            shape = (batch_size,) + as_shape(input_shape)
        else:
            raise ValueError(
                f"InputLayer '{name}' needs the shape of one sample: "
                "nn.Input(shape=(height, width, channels)) or InputLayer(input_shape=(features,))."
            )
        self._batch_input_shape = shape
        self.built = True
        # The input layer's single node has no inbound tensors; its output is the
        # symbolic tensor that nn.Input returns.
        self._inbound_nodes.append(Node(self, [], {}, shape, self.dtype))

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {"batch_input_shape": list(self._batch_input_shape), "dtype": self.dtype,
                "name": self.name}


def Input(  # noqa: N802 - named like a class, as in Keras
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    name: str | None = None,
    batch_shape: Any = None,
) -> KerasTensor:
    """A symbolic input tensor, to start a functional model or a Sequential.

    Parameters
    ----------
    shape : tuple or int
        The shape of one sample, without the batch axis: ``(320, 320, 3)``.
    batch_size : int, optional
    dtype : str, optional
    name : str, optional
    batch_shape : tuple, optional
        The full shape including the batch axis, instead of ``shape``.

    Examples
    --------
    >>> import nn
    >>> x = nn.Input(shape=(320, 320, 3))
    >>> x.shape
    (None, 320, 320, 3)
    """
    layer = InputLayer(input_shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                       batch_input_shape=batch_shape)
    return layer.output


# The classes a saved file may name (nn/saving/registry.py).
register(InputLayer)
