"""sxr.evidence"""
