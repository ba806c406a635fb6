"""sxr.staff: the staff portal, a face above the domains (case queue, case pages, audit trail, report packs).

Staff users, their sessions and roles live below, in sxr.accounts.
"""
