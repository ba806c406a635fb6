"""sxr.conversations"""
