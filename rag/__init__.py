"""medcite core library: ingestion, encoders, FAISS collections, retrieval and staging.

Nothing in this package knows about HTTP; the service and the evaluation runner call it
through :mod:`rag.pipeline` (its request and answer contracts live in :mod:`rag.contracts`).
"""

__version__ = "0.1.0"
