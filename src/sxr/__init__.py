"""sxr: a sextortion response service."""
