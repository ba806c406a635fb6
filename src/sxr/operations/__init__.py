"""Running sxr for years: backup and restore, and the rotation of its keys."""
