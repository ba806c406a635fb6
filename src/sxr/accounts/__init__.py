"""sxr.accounts"""
