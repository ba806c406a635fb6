"""sxr.reports"""
