"""Query-time retrieval: dense + BM25 fusion, similar cases, adaptive choice of k."""
