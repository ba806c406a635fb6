"""sxr.cases"""
