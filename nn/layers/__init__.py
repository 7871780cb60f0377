"""``nn.layers``: the Layer base class and the built-in layers.

=====================  ============================================================
``base``               Layer: the call protocol, add_weight, weights, losses
``tracking``           attribute tracking: sublayers and weights found by attribute
``call_context``       the training flag and add_loss values shared by nested calls
``symbolic_views``     input/output and their shapes
``config``             get_config/from_config and the base arguments
``input_spec``         InputSpec: the rank and sizes a layer accepts, checked each call
``window_layers``      what convolution and pooling layers share: arguments, layouts
``naming``             automatic names (dense, dense_1, ...), clear_session
``input_layer``        InputLayer, Input
``core``               Dense, Activation
``activation_layers``  ReLU, LeakyReLU, PReLU, ELU, Softmax
``convolutional``      Conv2D
``convolutional_transpose`` Conv2DTranspose (upsampling; autograd.conv2d_transpose)
``convolutional_separable`` DepthwiseConv2D, SeparableConv2D (autograd.depthwise_conv2d)
``pooling``            MaxPooling2D, AveragePooling2D, GlobalMaxPooling2D,
                       GlobalAveragePooling2D
``normalization``      BatchNormalization
``regularization``     Dropout
``reshaping``          Flatten, Reshape
``reshaping2d``        UpSampling2D, ZeroPadding2D, Cropping2D, RepeatVector, Permute
``merging``            Add, Subtract, Multiply, Average, Maximum, Minimum,
                       Concatenate, Dot, and add/subtract/.../concatenate/dot
``embedding``          Embedding
``masking``            Masking (and the masks sequence layers pass along)
``recurrent_cells``    SimpleRNNCell, LSTMCell, GRUCell
``recurrent``          RNN, SimpleRNN, LSTM, GRU
``wrappers``           Bidirectional, TimeDistributed
``convolutional1d``    Conv1D
``pooling1d``          MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D,
                       GlobalAveragePooling1D, UpSampling1D, ZeroPadding1D, Cropping1D
``layer_normalization`` LayerNormalization
``attention``          MultiHeadAttention, Attention, AdditiveAttention
``preprocessing``      Rescaling, Normalization (adapt), Resizing, CenterCrop
``augmentation``       RandomFlip, RandomRotation, RandomZoom, RandomTranslation,
                       RandomContrast (training only, seeded)
``image_transforms``   the resize and resampling arithmetic behind them (NumPy)
``text_preprocessing`` StringLookup, IntegerLookup, TextVectorization (adapt)
``symbolic``           KerasTensor, Node: what calls on nn.Input record
``variable``           Variable: a named weight Tensor
=====================  ============================================================

Each built-in class is listed for saved files by a ``register(...)`` line beside
it (``nn/saving/registry.py``); the models live in ``nn.models``.
"""

from nn.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from nn.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from nn.layers.augmentation import (
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from nn.layers.base import Layer
from nn.layers.convolutional import Conv2D
from nn.layers.convolutional1d import Conv1D
from nn.layers.convolutional_separable import DepthwiseConv2D, SeparableConv2D
from nn.layers.convolutional_transpose import Conv2DTranspose
from nn.layers.core import Activation, Dense
from nn.layers.embedding import Embedding
from nn.layers.input_layer import Input, InputLayer
from nn.layers.input_spec import InputSpec
from nn.layers.layer_normalization import LayerNormalization
from nn.layers.masking import Masking
from nn.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from nn.layers.normalization import BatchNormalization
from nn.layers.pooling import (
    AveragePooling2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
)
from nn.layers.pooling1d import (
    AveragePooling1D,
    Cropping1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
    UpSampling1D,
    ZeroPadding1D,
)
from nn.layers.preprocessing import CenterCrop, Normalization, Rescaling, Resizing
from nn.layers.recurrent import GRU, LSTM, RNN, SimpleRNN
from nn.layers.recurrent_cells import GRUCell, LSTMCell, SimpleRNNCell
from nn.layers.regularization import Dropout
from nn.layers.reshaping import Flatten, Reshape
from nn.layers.reshaping2d import Cropping2D, Permute, RepeatVector, UpSampling2D, ZeroPadding2D
from nn.layers.symbolic import KerasTensor
from nn.layers.text_preprocessing import IntegerLookup, StringLookup, TextVectorization
from nn.layers.variable import Variable
from nn.layers.wrappers import Bidirectional, TimeDistributed


def serialize(layer: Layer) -> dict:
    """``{"class_name", "config"}`` of ``layer`` (``keras.layers.serialize``)."""
    from nn.saving.serialization import serialize as serialize_layer

    return serialize_layer(layer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Layer:
    """A new layer from ``serialize`` output (``keras.layers.deserialize``)."""
    from nn.saving.serialization import deserialize as deserialize_layer

    return deserialize_layer(config, custom_objects)


__all__ = [
    "Layer", "InputSpec", "InputLayer", "Input", "Dense", "Activation", "Conv2D", "MaxPooling2D",
    "AveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling2D",
    "BatchNormalization", "Dropout", "Flatten", "Reshape", "Add", "Subtract", "Multiply",
    "Average", "Concatenate", "KerasTensor", "Variable",
    # sequences
    "Embedding", "Masking", "SimpleRNNCell", "LSTMCell", "GRUCell", "RNN", "SimpleRNN",
    "LSTM", "GRU", "Bidirectional", "TimeDistributed", "Conv1D", "MaxPooling1D",
    "AveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling1D", "UpSampling1D",
    "ZeroPadding1D", "Cropping1D", "LayerNormalization", "MultiHeadAttention", "Attention",
    "AdditiveAttention", "TextVectorization", "StringLookup", "IntegerLookup",
    "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
    "UpSampling2D", "ZeroPadding2D", "Cropping2D", "RepeatVector", "Permute",
    "Rescaling", "Normalization", "Resizing", "CenterCrop", "RandomFlip", "RandomRotation",
    "RandomZoom", "RandomTranslation", "RandomContrast",
    "serialize", "deserialize", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
    # merging
    "Maximum", "Minimum", "Dot", "add", "subtract", "multiply", "average", "maximum",
    "minimum", "concatenate", "dot",
]
