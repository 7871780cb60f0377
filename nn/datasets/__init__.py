"""nn.datasets: small data sets for examples and tests.

- ``digits``: 1,797 8x8 handwritten digits, shipped in the package (UCI, CC BY 4.0).
- ``mnist``: reads the standard ``mnist.npz`` from a path or a cache folder.
- ``names``: 690 first and 1,000 last names, shipped (from Faker, MIT licence).
- ``sequences``: synthetic sequence tasks generated in code: copy, reverse,
  addition, order ("does A come before B").
"""

from . import digits, mnist, names, sequences

__all__ = ["digits", "mnist", "names", "sequences"]
