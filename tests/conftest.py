"""Test configuration: hypothesis profiles, chosen with the HYPOTHESIS_PROFILE variable.

``dev`` (the default) runs 50 examples per property; ``ci`` runs 100, without deadline and
derandomized so that a run is reproducible.
"""

import datetime as dt
import os

from hypothesis import settings

settings.register_profile("dev", max_examples=50, deadline=dt.timedelta(seconds=1))
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
