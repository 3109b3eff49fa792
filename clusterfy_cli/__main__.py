"""``python -m clusterfy_cli``: the command line (see :mod:`clusterfy_cli.cli`)."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the heavy imports load
    sys.exit(130)

if __name__ == "__main__":
    sys.exit(main())
