"""Shared web pieces: templates, static files, security headers."""
