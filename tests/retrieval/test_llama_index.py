"""medcite's retriever inside a real llama-index query engine, offline."""

import subprocess
import sys

import pytest

from rag.pipeline import Pipeline
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration

llama_core = pytest.importorskip("llama_index.core")


def test_query_engine_returns_medcite_nodes_with_scores_and_metadata(knowledge_pipeline: Pipeline) -> None:
    from llama_index.core.llms import MockLLM
    from llama_index.core.query_engine import RetrieverQueryEngine
    from llama_index.core.response_synthesizers.no_text import NoText

    from rag.integrations.llama_index import MedciteRetriever

    retriever = MedciteRetriever(knowledge_pipeline, top_k=3)
    synthesizer = NoText(llm=MockLLM())
    engine = RetrieverQueryEngine(retriever=retriever, response_synthesizer=synthesizer)
    response = engine.query("What are Light's criteria?")
    nodes = response.source_nodes
    assert len(nodes) == 3
    assert nodes[0].node.node_id == "pleural-effusion#pleural-effusion-imaging/light-s-criteria"
    assert nodes[0].node.metadata["section"].endswith("Light's criteria")
    assert nodes[0].node.metadata["index_version"].startswith("v-")
    assert all(0.0 < (node.score or 0.0) <= 1.0 for node in nodes)
    assert "protein" in nodes[0].node.get_content().lower()


def test_example_script_runs(knowledge_pipeline: Pipeline) -> None:
    env_index = str(knowledge_pipeline.settings.index_dir)
    result = subprocess.run(
        [sys.executable, "examples/llama_index_query_engine.py", "What is the split pleura sign?"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "MEDCITE_INDEX_DIR": env_index,
            "HF_HUB_OFFLINE": "1",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO_ROOT),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "split-pleura-sign" in result.stdout.splitlines()[0]
