"""Tests of the store: both backends, the change log, edits, imports, copies, backups, durability."""
