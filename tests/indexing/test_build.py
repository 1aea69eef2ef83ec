"""Index building against real FAISS collections, with the hashing encoder for speed."""

from pathlib import Path

import pytest

from rag.build import IndexBuilder, new_catalog
from rag.encoders.hashing import HashingTextEncoder
from rag.errors import IndexMismatchError, NotFoundError
from rag.search import search_text
from rag.store import catalog as catalog_module
from rag.store.catalog import load_catalog, save_catalog
from rag.store.collection import VectorCollection
from rag.store.fsio import CURRENT

pytestmark = pytest.mark.unit

ENCODER = HashingTextEncoder(dim=128)


def _builder(root: Path) -> IndexBuilder:
    if (root / CURRENT).exists():
        catalog = load_catalog(root)
    else:
        catalog = new_catalog(ENCODER.info, None, {"max_chars": 800}, {})
    return IndexBuilder(catalog, ENCODER, max_chars=800)


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "effusion.md").write_text("# Effusion\n## Radiograph\nBlunting of the costophrenic angle needs fluid.\n")
    (docs / "nodules.md").write_text(
        "# Nodules\n## Solid\nA solid nodule under six millimetres needs no routine follow-up.\n"
    )
    return docs


def test_build_search_reingest_update_remove(tmp_path: Path) -> None:
    root = tmp_path / "indexes"
    docs = _docs(tmp_path)
    builder = _builder(root)
    builder.add_documents([docs])
    assert sorted(builder.report.added) == ["effusion", "nodules"]
    first = save_catalog(builder.catalog, root)

    hits = search_text(load_catalog(root), ENCODER, "costophrenic angle blunting fluid", k=1)
    assert hits[0].hit.id == "effusion#effusion/radiograph"
    assert hits[0].hit.metadata["section"] == "Effusion > Radiograph"

    again = _builder(root)
    again.add_documents([docs])
    assert not again.report.changed and sorted(again.report.unchanged) == ["effusion", "nodules"]

    (docs / "nodules.md").write_text("# Nodules\n## Subsolid\nGround-glass nodules are followed for longer.\n")
    update = _builder(root)
    update.add_documents([docs])
    assert update.report.updated == ["nodules"]
    save_catalog(update.catalog, root)
    catalog = load_catalog(root)
    ids = {i for _, c in catalog.of_kind("passage") for i in c.ids()}
    assert ids == {"effusion#effusion/radiograph", "nodules#nodules/subsolid"}
    assert catalog.documents["nodules"]["count"] == 1

    catalog.remove_source("effusion")
    save_catalog(catalog, root)
    ids = {i for _, c in load_catalog(root).of_kind("passage") for i in c.ids()}
    assert ids == {"nodules#nodules/subsolid"}
    assert not first.exists() or first.name != load_catalog(root).version
    with pytest.raises(NotFoundError, match="no indexed source"):
        load_catalog(root).remove_source("effusion")


def test_duplicates_are_skipped_and_bad_files_do_not_stop_the_batch(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    (docs / "copy.md").write_text((docs / "effusion.md").read_text())
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    builder = _builder(tmp_path / "indexes")
    builder.add_documents([docs])
    assert sorted(builder.report.added) == ["copy", "effusion", "nodules"]
    assert len(builder.report.duplicates) == 1 and "repeats" in builder.report.duplicates[0]
    assert len(builder.report.errors) == 1 and "broken.pdf" in builder.report.errors[0]
    total = sum(len(c) for _, c in builder.catalog.of_kind("passage"))
    assert total == 2


def test_index_built_with_another_encoder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "indexes"
    builder = _builder(root)
    builder.add_documents([_docs(tmp_path)])
    save_catalog(builder.catalog, root)
    with pytest.raises(IndexMismatchError, match="built with hashing"):
        search_text(load_catalog(root), HashingTextEncoder(dim=64), "fluid")


def test_crash_mid_write_leaves_previous_version_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "indexes"
    builder = _builder(root)
    builder.add_documents([_docs(tmp_path)])
    save_catalog(builder.catalog, root)
    served = (root / CURRENT).read_text()

    (tmp_path / "more.md").write_text("# Pneumothorax\nDeep sulcus sign on a supine film.\n")
    update = _builder(root)
    update.add_documents([tmp_path / "more.md"])

    def crash(self: VectorCollection, directory: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(catalog_module.VectorCollection, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        save_catalog(update.catalog, root)
    monkeypatch.undo()
    assert (root / CURRENT).read_text() == served
    assert not list(root.glob(".tmp-*"))
    assert "more" not in load_catalog(root).documents


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="medcite index build"):
        load_catalog(tmp_path / "nothing")


def test_reference_lists_are_not_indexed(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text(
        "# Guide\n## Effusion\nFluid in the pleural space.\n## References\n1. Light RW. Ann Intern Med 1972.\n"
    )
    builder = _builder(tmp_path / "indexes")
    builder.add_documents([doc])
    ids = {i for _, c in builder.catalog.of_kind("passage") for i in c.ids()}
    assert ids == {"guide#guide/effusion"}
