"""The model: the layer catalog, what a field accepts, coordinate systems, the UI strings and formats."""
