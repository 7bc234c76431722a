"""Tests of the web map: the map builder, the compact codec, palettes, served assets."""
