"""Tests of the embedded demo store."""
