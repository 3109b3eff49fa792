"""``python -m engine``: the engine's command line (see :mod:`engine.cli`)."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the heavy imports load
    sys.exit(130)

if __name__ == "__main__":
    sys.exit(main())
