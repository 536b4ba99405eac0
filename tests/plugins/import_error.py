"""A plugin that cannot be imported: it raises as soon as it is loaded."""

raise RuntimeError("this plugin is broken on purpose")
