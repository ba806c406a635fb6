"""sxr.staff: the staff portal (staff users, sessions, case queue and case pages)."""
