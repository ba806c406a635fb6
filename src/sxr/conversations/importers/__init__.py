"""sxr.conversations.importers"""
