"""Keep pytest away from the test-only plugins: they are loaded by the tests, never collected.

``--doctest-modules`` imports every ``.py`` file under ``tests/``; these modules are plugins
(one of them raises when imported, on purpose), so they must be imported only by the tests
that load them, by file path or through a fake distribution.
"""

collect_ignore_glob = ["*.py"]
