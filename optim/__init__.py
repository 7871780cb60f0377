"""optim: optimizers (SGD, Adam, RMSprop, ...) for ``fit`` and hand-written loops."""
