"""sxr.watchlist"""
