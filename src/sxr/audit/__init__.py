"""sxr.audit"""
