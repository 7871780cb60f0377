"""nn.utils: seeds, label encoding, the progress bar and data batching.

- ``set_random_seed(n)``: one seed for initializers, dropout, shuffling.
- ``to_categorical(y, num_classes)``: one-hot labels.
- ``Progbar``: the progress bar of ``fit`` (``progbar.py``).
- ``data.py``: how ``fit`` checks and batches its arrays.
- ``plot_model`` / ``model_to_dot``: a picture of the layer graph (``plot_model.py``;
  Graphviz when present, plain Python or matplotlib otherwise).
- ``PyDataset`` / ``Sequence``: a dataset written as a class, for ``fit``.
- ``custom_object_scope`` / ``CustomObjectScope``: names your classes for loading
  (the same as ``nn.saving.custom_object_scope``).
"""

from nn.saving.registry import CustomObjectScope, custom_object_scope

from .numerical import to_categorical
from .plot_model import model_to_dot, plot_model
from .progbar import Progbar
from .py_dataset import PyDataset, Sequence
from .random import set_random_seed

__all__ = ["set_random_seed", "to_categorical", "Progbar", "custom_object_scope",
           "CustomObjectScope", "plot_model", "model_to_dot", "PyDataset", "Sequence"]
