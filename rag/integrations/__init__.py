"""Adapters that let other frameworks use medcite's retrieval."""
