"""FAISS vector collections: string ids, JSON metadata, filters, persistence, CPU or GPU."""

from rag.store.collection import VectorCollection

__all__ = ["VectorCollection"]
