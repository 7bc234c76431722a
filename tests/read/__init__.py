"""Tests of the read side: the role-aware read path, the time machine, board, records, search, threads."""
