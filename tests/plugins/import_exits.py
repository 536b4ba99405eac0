"""A plugin that calls ``sys.exit(3)`` as soon as it is imported."""

import sys

sys.exit(3)
