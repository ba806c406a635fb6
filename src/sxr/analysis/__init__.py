"""sxr.analysis"""
