"""The store: sessions on a GeoPackage or PostGIS, the change log, audited edits and imports, copies."""
