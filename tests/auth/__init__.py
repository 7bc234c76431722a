"""Tests of sign-in and secrets."""
