"""Tests of the app: pages, the browser (Chromium) as a person uses it, the harness, the code's shape."""
