"""Allow ``python -m territoires``."""

import sys

from territoires.cli import main

sys.exit(main())
