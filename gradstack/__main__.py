"""``python -m gradstack``: the same command as the ``gradstack`` console script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
