"""A llama-index ``BaseRetriever`` over medcite's fused (dense + BM25) passage retrieval.

Install with ``pip install 'medcite[llamaindex]'``. Scores are cosine similarities (higher is
better) and node ids are medcite's stable citable ids, so llama-index answers stay traceable.
"""

from __future__ import annotations

from typing import Any

from rag.errors import MissingDependencyError
from rag.pipeline import Pipeline

try:
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
except ImportError as exc:
    raise MissingDependencyError("the llama-index adapter needs `pip install 'medcite[llamaindex]'`") from exc


class MedciteRetriever(BaseRetriever):
    """Retrieves guideline and report passages for a query string, in medcite's ranking order."""

    def __init__(self, pipeline: Pipeline, *, top_k: int = 5, domains: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pipeline = pipeline
        self._top_k = top_k
        self._domains = domains

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        runtime = self._pipeline.runtime
        catalog = runtime.catalog()
        catalog.check_encoder("text", runtime.text_encoder.info)
        vector = runtime.text_encoder.encode([query_bundle.query_str])
        items = self._pipeline.retriever(catalog).passages(vector, query_bundle.query_str, domains=self._domains)
        nodes = []
        for item in items[: self._top_k]:
            metadata = {key: item.metadata.get(key) for key in ("title", "section", "page", "doc_id")}
            metadata.update(kind=item.kind, domain=item.domain, index_version=catalog.version)
            node = TextNode(id_=item.id, text=item.text, metadata=metadata)
            nodes.append(NodeWithScore(node=node, score=item.similarity))
        return nodes
