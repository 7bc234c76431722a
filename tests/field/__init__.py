"""Tests of QGIS styles and field packages (QGIS itself opens what we write)."""
