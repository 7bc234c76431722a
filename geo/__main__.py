"""Entry point of ``python -m geo``."""

import sys

from geo.command.cli import main

sys.exit(main())
