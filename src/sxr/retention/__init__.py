"""Retention and erasure: holds, a victim's copy of their report, deleting a report, and purges by rule."""
