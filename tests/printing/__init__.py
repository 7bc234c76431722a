"""Tests of the print kit: sheets, data exports, the meeting pack, the atlas."""
