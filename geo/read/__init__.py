"""The read side: one read path (the day, the units, the role), the time machine, figures and records."""
