"""Use medcite's retriever inside a llama-index query engine, fully offline.

    python examples/llama_index_query_engine.py "Which nodal stations are N3 for a right upper lobe tumour?"

The index must exist (``medcite index build``). The response synthesiser here only collects
sources (``response_mode="no_text"``, so the placeholder ``MockLLM`` is never called); plug in any
llama-index LLM to have it write the answer.
"""

from __future__ import annotations

import sys

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText

from rag.config import Settings
from rag.integrations.llama_index import MedciteRetriever
from rag.pipeline import Pipeline
from rag.runtime import Runtime


def main(question: str) -> None:
    retriever = MedciteRetriever(Pipeline(Runtime(Settings())), top_k=3)
    synthesizer = NoText(llm=MockLLM())
    engine = RetrieverQueryEngine(retriever=retriever, response_synthesizer=synthesizer)
    response = engine.query(question)
    for node in response.source_nodes:
        print(f"{node.score:.3f}  {node.node.node_id}  {node.node.metadata['section']}")


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "Which nodal stations are N3 for a right upper lobe tumour?")
