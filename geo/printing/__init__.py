"""The print kit and what is built on it: PNG/PDF sheets, data exports, the meeting pack, the atlas."""
