"""Tests of the model: the catalog, values, strings, coordinate systems, text safety, saved views."""
