"""VectorCollection: id semantics, search correctness against numpy, filters, persistence, errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from rag.errors import InputError, NotFoundError
from rag.store import VectorCollection

pytestmark = pytest.mark.unit

DIM = 64
N_ANN = 20_000


def unit_vectors(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def metadata_for(i: int) -> dict[str, object]:
    return {
        "domain": ["radiology:chest", "radiology:neuro", "pathology"][i % 3],
        "modality": ["CT", "MRI", "XR", "US"][i % 4],
        "tags": ["even" if i % 2 == 0 else "odd"],
        "n": i,
    }


def filled(n: int, **options: object) -> tuple[VectorCollection, np.ndarray]:
    vectors = unit_vectors(n)
    collection = VectorCollection("test", DIM, **options)  # type: ignore[arg-type]
    collection.upsert([f"d{i}" for i in range(n)], vectors, [metadata_for(i) for i in range(n)])
    return collection, vectors


def recall_at_10(collection: VectorCollection, vectors: np.ndarray, queries: np.ndarray) -> float:
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    results = collection.search(queries, 10)
    found = [len({hit.id for hit in hits} & {f"d{j}" for j in row}) for hits, row in zip(results, truth, strict=True)]
    return sum(found) / (10 * len(queries))


@pytest.fixture(scope="module")
def ann_data() -> np.ndarray:
    return unit_vectors(N_ANN, seed=1)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return unit_vectors(100, seed=2)


# ---------------------------------------------------------------- ids and mutation


def test_upsert_get_contains_len_and_vector() -> None:
    collection, vectors = filled(10)
    assert len(collection) == 10
    assert "d3" in collection and "x" not in collection and 3 not in collection
    assert collection.get("d3") == metadata_for(3)
    np.testing.assert_array_equal(collection.vector("d3"), vectors[3])
    assert sorted(collection.ids()) == sorted(f"d{i}" for i in range(10))


def test_returned_metadata_is_a_copy_callers_may_change() -> None:
    collection, vectors = filled(4)
    hit = collection.search(vectors[2], 1)[0][0]
    hit.metadata["tags"].append("changed")
    hit.metadata["n"] = -1
    fetched = collection.get("d2")
    fetched["tags"].append("changed")
    assert collection.get("d2") == metadata_for(2)
    assert collection.search(vectors[2], 1)[0][0].metadata == metadata_for(2)


def test_upsert_replaces_existing_ids() -> None:
    collection, vectors = filled(10)
    replacement = unit_vectors(1, seed=9)
    collection.upsert(["d3"], replacement, [{"domain": "new"}])
    assert len(collection) == 10
    assert collection.get("d3") == {"domain": "new"}
    np.testing.assert_array_equal(collection.vector("d3"), replacement[0])
    top = collection.search(replacement, 1)[0][0]
    assert top.id == "d3" and top.score == pytest.approx(1.0, abs=1e-5)
    assert [hit.id for hit in collection.search(vectors[3], 10)[0]].count("d3") <= 1
    assert collection.search(vectors[3], 1, filters={"domain": "new"})[0][0].id == "d3"
    assert all(hit.id != "d3" for hit in collection.search(vectors[3], 10, filters={"domain": "radiology:neuro"})[0])


def test_delete_returns_existing_count_and_ids_stay_stable() -> None:
    collection, vectors = filled(50)
    collection.search(vectors[0], 5)  # build the index, so the deletes go through the incremental path
    assert collection.delete(["d0", "d7", "missing", "d7"]) == 2
    assert len(collection) == 48 and "d0" not in collection
    # Every surviving id still maps to its own vector and metadata after the swap-removals.
    for i in range(1, 50):
        if i == 7:
            continue
        hit = collection.search(vectors[i], 1)[0][0]
        assert hit.id == f"d{i}" and hit.metadata == metadata_for(i)
    assert all(hit.id not in {"d0", "d7"} for hit in collection.search(vectors[0], 48)[0])
    with pytest.raises(NotFoundError, match="d0"):
        collection.get("d0")
    # Re-adding a deleted id works and is found again.
    collection.upsert(["d0"], vectors[:1], [{"back": True}])
    assert collection.search(vectors[0], 1)[0][0].id == "d0"


def test_internal_ids_never_collide_across_collections_or_after_deletes() -> None:
    vectors = unit_vectors(4)
    first, second = VectorCollection("passage__a", DIM), VectorCollection("passage__b", DIM)
    for collection in (first, second):
        collection.upsert(["a", "b"], vectors[:2], [{}, {}])
    first.delete(["b"])
    first.upsert(["c"], vectors[2:3], [{}])
    first_ids = set(first._internal[: len(first)].tolist())
    second_ids = set(second._internal[: len(second)].tolist())
    assert not first_ids & second_ids
    assert len(first_ids) == 2 and first._next_serial == 3  # "b"'s internal id is not reused


# ---------------------------------------------------------------- search correctness


def test_flat_search_matches_numpy_and_scores_are_descending_similarities() -> None:
    collection, vectors = filled(500)
    queries = unit_vectors(5, seed=3)
    results = collection.search(queries, 10)
    sims = queries @ vectors.T
    for qi, hits in enumerate(results):
        expected = np.argsort(-sims[qi])[:10]
        assert [hit.id for hit in hits] == [f"d{j}" for j in expected]
        np.testing.assert_allclose([hit.score for hit in hits], sims[qi, expected], atol=1e-5)
        assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert collection.info["index_type"] == "flat"


def test_single_query_and_k_larger_than_collection() -> None:
    collection, vectors = filled(5)
    results = collection.search(vectors[0], 50)
    assert len(results) == 1 and len(results[0]) == 5
    assert results[0][0].id == "d0" and results[0][0].score == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("ann", "options"), [("hnsw", {"ef_search": 128}), ("ivf", {"nprobe": 256})])
def test_ann_recall_against_brute_force(
    ann: str, options: dict[str, int], ann_data: np.ndarray, queries: np.ndarray
) -> None:
    collection = VectorCollection("ann", DIM, exact_threshold=1_000, ann=ann, **options)  # type: ignore[arg-type]
    collection.upsert([f"d{i}" for i in range(N_ANN)], ann_data, [{"i": i % 7} for i in range(N_ANN)])
    assert collection.info["index_type"] == ann
    assert recall_at_10(collection, ann_data, queries) >= 0.9
    hits = collection.search(queries[0], 10)[0]
    np.testing.assert_allclose(
        [hit.score for hit in hits], [float(ann_data[int(hit.id[1:])] @ queries[0]) for hit in hits], atol=1e-4
    )
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    # Deleting forces an HNSW rebuild / IVF removal on the next search; deleted ids never come back.
    gone = [hit.id for hit in hits[:3]]
    assert collection.delete(gone) == 3
    assert not {hit.id for hit in collection.search(queries[0], 10)[0]} & set(gone)


def test_index_switches_from_exact_to_ann_as_collection_grows() -> None:
    collection = VectorCollection("grow", DIM, exact_threshold=100, ann="hnsw")
    vectors = unit_vectors(150)
    collection.upsert([f"d{i}" for i in range(99)], vectors[:99], [{}] * 99)
    assert collection.search(vectors[0], 1)[0][0].id == "d0"
    assert collection.info["index_type"] == "flat"
    collection.upsert([f"d{i}" for i in range(99, 150)], vectors[99:], [{}] * 51)
    assert collection.search(vectors[120], 1)[0][0].id == "d120"
    assert collection.info["index_type"] == "hnsw"


def test_empty_collection_search_returns_empty_lists() -> None:
    collection = VectorCollection("empty", DIM)
    assert collection.search(unit_vectors(3), 5) == [[], [], []]
    collection.upsert(["a"], unit_vectors(1), [{}])
    collection.delete(["a"])
    assert collection.search(unit_vectors(1), 5, filters={"domain": "x"}) == [[]]
    assert collection.search(unit_vectors(1), 5) == [[]]


# ---------------------------------------------------------------- filters


FILTER_CASES = [
    # broad: 4,500 of 6,000 match, so ANN indexes search with an IDSelector
    ({"modality": ["CT", "MRI", "XR"]}, lambda i: i % 4 != 3),
    # narrow: 1,000 match, so ANN indexes scan just the matches exactly
    ({"domain": "radiology:chest", "modality": ["CT", "MRI"]}, lambda i: i % 3 == 0 and i % 4 in (0, 1)),
]


@pytest.mark.parametrize(
    "options", [{}, {"exact_threshold": 1_000, "ann": "hnsw"}, {"exact_threshold": 1_000, "ann": "ivf"}]
)
def test_filters_return_k_matching_items(options: dict[str, object]) -> None:
    collection, vectors = filled(6_000, **options)
    queries = unit_vectors(4, seed=5)
    for wanted, matches in FILTER_CASES:
        matching = [i for i in range(6_000) if matches(i)]
        sims = queries @ vectors[matching].T
        for qi, hits in enumerate(collection.search(queries, 10, filters=wanted)):
            assert len(hits) == 10
            assert all(matches(int(hit.id[1:])) for hit in hits)
            assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
            if options == {}:
                assert [hit.id for hit in hits] == [f"d{matching[j]}" for j in np.argsort(-sims[qi])[:10]]
    # CT is i % 4 == 0, always even: this filter matches nothing.
    assert collection.search(queries, 10, filters={"tags": "odd", "modality": "CT"}) == [[], [], [], []]


def test_filter_on_list_values_and_unknown_keys() -> None:
    collection, vectors = filled(30)
    hits = collection.search(vectors[0], 30, filters={"tags": "odd"})[0]
    assert len(hits) == 15 and all(hit.metadata["tags"] == ["odd"] for hit in hits)
    assert collection.search(vectors[0], 5, filters={"nope": "x"}) == [[]]
    assert collection.search(vectors[0], 5, filters={"domain": []}) == [[]]
    assert len(collection.search(vectors[0], 5, filters={})[0]) == 5
    with pytest.raises(InputError, match="filter 'n'"):
        collection.search(vectors[0], 5, filters={"n": 3})  # type: ignore[dict-item]


# ---------------------------------------------------------------- persistence


@pytest.mark.parametrize(
    "options", [{}, {"exact_threshold": 500, "ann": "hnsw"}, {"exact_threshold": 500, "ann": "ivf"}]
)
def test_save_load_round_trip(tmp_path: Path, options: dict[str, object]) -> None:
    collection, _ = filled(2_000, **options)
    collection.upsert(
        ["unicode"], unit_vectors(1, seed=7), [{"title": "Lungenrundherd – N2", "nested": {"a": [1, 2.5]}}]
    )
    collection.delete(["d5"])
    queries = unit_vectors(5, seed=4)
    before = collection.search(queries, 10, filters={"modality": ["CT", "US"]}) + collection.search(queries, 10)
    collection.save(tmp_path / "c")
    assert {p.name for p in (tmp_path / "c").iterdir()} == {"index.faiss", "vectors.npy", "meta.json"}
    loaded = VectorCollection.load(tmp_path / "c")
    assert loaded.search(queries, 10, filters={"modality": ["CT", "US"]}) + loaded.search(queries, 10) == before
    assert loaded.get("unicode") == {"title": "Lungenrundherd – N2", "nested": {"a": [1, 2.5]}}
    assert sorted(loaded.ids()) == sorted(collection.ids()) and "d5" not in loaded
    assert loaded.info == collection.info
    # The loaded collection keeps working and keeps allocating fresh internal ids.
    loaded.upsert(["extra"], unit_vectors(1, seed=8), [{}])
    assert loaded.search(unit_vectors(1, seed=8), 1)[0][0].id == "extra"


def test_save_load_empty(tmp_path: Path) -> None:
    VectorCollection("empty", DIM).save(tmp_path)
    loaded = VectorCollection.load(tmp_path)
    assert len(loaded) == 0 and loaded.search(unit_vectors(1), 3) == [[]]


def test_load_rejects_missing_and_inconsistent_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing index\.faiss"):
        VectorCollection.load(tmp_path)
    collection, _ = filled(10)
    collection.save(tmp_path)
    np.save(tmp_path / "vectors.npy", unit_vectors(9))
    with pytest.raises(InputError, match=str(tmp_path)):
        VectorCollection.load(tmp_path)


def test_metadata_must_be_json(tmp_path: Path) -> None:
    collection = VectorCollection("meta", DIM)
    with pytest.raises(InputError, match="'a' is not JSON-serialisable"):
        collection.upsert(["a"], unit_vectors(1), [{"path": tmp_path}])
    with pytest.raises(InputError, match="not JSON-serialisable"):
        collection.upsert(["a"], unit_vectors(1), [{"x": float("nan")}])


# ---------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("vectors", "message"),
    [
        (np.zeros((2, DIM + 1), dtype=np.float32), r"shape \(n, 64\), got \(2, 65\)"),
        (np.zeros(DIM, dtype=np.float32), r"shape \(n, 64\), got \(64,\)"),
        (np.ones((2, DIM), dtype=np.int64), "dtype int64"),
        (np.full((2, DIM), np.nan, dtype=np.float32), "row 0 contains NaN"),
        (np.ones((2, DIM), dtype=np.float32), "row 0 has L2 norm 8.0000"),
    ],
)
def test_bad_vectors_raise_input_error(vectors: np.ndarray, message: str) -> None:
    with pytest.raises(InputError, match=message):
        VectorCollection("bad", DIM).upsert(["a", "b"], vectors, [{}, {}])


def test_bad_arguments_raise_input_error() -> None:
    collection, vectors = filled(3)
    with pytest.raises(InputError, match="2 ids, 3 vectors, 2 metadata"):
        collection.upsert(["x", "y"], vectors, [{}, {}])
    with pytest.raises(InputError, match="appears twice"):
        collection.upsert(["x", "x"], vectors[:2], [{}, {}])
    with pytest.raises(InputError, match="queries must have shape"):
        collection.search(np.zeros((1, 3), dtype=np.float32), 1)
    with pytest.raises(InputError, match="k must be a positive integer"):
        collection.search(vectors[0], 0)
    with pytest.raises(InputError, match="wrap a single id"):
        collection.delete("d0")
    with pytest.raises(NotFoundError, match="no id 'zzz'"):
        collection.vector("zzz")
    with pytest.raises(InputError, match="ann must be"):
        VectorCollection("x", DIM, ann="lsh")  # type: ignore[arg-type]
