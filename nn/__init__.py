"""nn: the Keras-like front end of gradstack (layers, models, training).

Filled in by the front-end and training work; importable from the start so that
the package layout is stable.
"""
