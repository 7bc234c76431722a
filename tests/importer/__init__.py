"""Tests of the importer: formats, encodings, coordinate systems, hostile files."""
