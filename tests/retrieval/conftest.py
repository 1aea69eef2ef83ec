"""A knowledge-only index built once per session with the real packaged text model."""

from pathlib import Path

import pytest

from rag.build import IndexBuilder, chunking_params, new_catalog
from rag.config import Settings
from rag.pipeline import Pipeline
from rag.runtime import Runtime
from rag.store.catalog import save_catalog


@pytest.fixture(scope="session")
def knowledge_runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    root = tmp_path_factory.mktemp("knowledge-index")
    runtime = Runtime(Settings(index_dir=root))
    catalog = new_catalog(runtime.text_encoder.info, None, chunking_params(1500), runtime.collection_options())
    builder = IndexBuilder(catalog, runtime.text_encoder)
    builder.add_knowledge(runtime.settings.knowledge_dir)
    assert not builder.report.errors
    save_catalog(catalog, Path(root))
    return runtime


@pytest.fixture(scope="session")
def knowledge_pipeline(knowledge_runtime: Runtime) -> Pipeline:
    return Pipeline(knowledge_runtime)
