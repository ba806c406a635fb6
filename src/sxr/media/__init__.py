"""sxr.media"""
