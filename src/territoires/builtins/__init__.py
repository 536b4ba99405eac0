"""Built-in behaviour, written as ordinary plugins and registered first (see DEFAULT_PLUGINS)."""
