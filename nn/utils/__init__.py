"""nn.utils: seeds, label encoding, the progress bar and data batching.

- ``set_random_seed(n)``: one seed for initializers, dropout, shuffling.
- ``to_categorical(y, num_classes)``: one-hot labels.
- ``Progbar``: the progress bar of ``fit`` (``progbar.py``).
- ``data.py``: how ``fit`` checks and batches its arrays.
- ``custom_object_scope`` / ``CustomObjectScope``: names your classes for loading
  (the same as ``nn.saving.custom_object_scope``).
"""

from nn.saving.registry import CustomObjectScope, custom_object_scope

from .numerical import to_categorical
from .progbar import Progbar
from .random import set_random_seed

__all__ = ["set_random_seed", "to_categorical", "Progbar", "custom_object_scope",
           "CustomObjectScope"]
