"""Who may do what: local users and the throttled, recorded sign-in."""
