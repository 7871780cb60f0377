"""nn.datasets: small data sets for examples and tests.

- ``digits``: 1,797 8x8 handwritten digits, shipped in the package (UCI, CC BY 4.0).
- ``mnist``: reads the standard ``mnist.npz`` from a path or a cache folder.
"""

from . import digits, mnist

__all__ = ["digits", "mnist"]
