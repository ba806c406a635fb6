"""sxr.linking"""
