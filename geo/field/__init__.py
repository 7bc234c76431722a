"""QGIS and the field: styles for QGIS, field packages for QField, the three-way merge back."""
