"""Training: ``compile``, ``fit``, ``evaluate``, ``predict`` for every Model.

``Trainer`` is a mixin that ``nn.Model`` (and so ``nn.Sequential``) inherits.
(Filled in by the training work.)
"""


class Trainer:
    """compile / fit / evaluate / predict, mixed into ``nn.Model``."""
