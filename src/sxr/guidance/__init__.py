"""sxr.guidance"""
