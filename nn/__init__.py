"""nn: the Keras-like front end of gradstack.

Keras code - tf.keras-era and Keras 3 - is written to run with only the imports
changed::

    import autograd as tf
    import nn as keras
    from nn import layers

``docs/coming_from_keras.md`` lists what runs unchanged and what is not supported.

- ``nn.layers``: Layer and the built-in layers; ``nn.Sequential``, ``nn.Model``,
  ``nn.Input``: models; ``nn.activations``, ``nn.initializers``, ``nn.regularizers``.
- ``nn.losses``, ``nn.metrics``, ``nn.optimizers`` (the ``optim`` package),
  ``nn.callbacks``, ``nn.datasets``, ``nn.utils``, ``nn.saving``: training.
- ``nn.ops`` and ``nn.random``: Keras 3's ``keras.ops`` and ``keras.random``;
  ``nn.Variable``: ``keras.Variable``.
"""

# Grouped by part of the library rather than sorted, so the two halves stay readable.
# --- front end (layers, models) ------------------------------------------------
from nn import activations, backend, initializers, layers, models, regularizers  # noqa: I001
from nn.layers import Input, Layer, Variable
from nn.layers.naming import clear_session
from nn.models import Model, Sequential

# --- training (losses, metrics, optimizers, callbacks, saving, data) -----------
from nn import callbacks, datasets, losses, metrics, optimizers, saving, utils

# --- Keras 3's NumPy-like functions and random draws -------------------------
from nn import ops, random
from nn.saving import load_model

__all__ = [
    # front end
    "activations", "backend", "initializers", "layers", "models", "regularizers",
    "Input", "Layer", "Variable", "clear_session", "Model", "Sequential", "ops", "random",
    # training
    "callbacks", "datasets", "losses", "metrics", "optimizers", "saving", "utils",
    "load_model",
]
