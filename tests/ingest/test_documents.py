from pathlib import Path

import pytest

from rag.errors import CorruptFileError, UnsupportedFileError
from rag.ingest.cases import load_vqa_rad_cases
from rag.ingest.documents import parse_document
from rag.ingest.reports import parse_reports
from tests.conftest import write_pdf

pytestmark = pytest.mark.unit


def test_pdf_chunks_keep_page_numbers(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "guide.pdf", ["Pleural effusion is fluid.", "Pneumothorax is air."])
    parsed = parse_document(pdf)
    assert [(c.page, c.chunk_id) for c in parsed.chunks] == [(1, "guide#page-1"), (2, "guide#page-2")]
    assert "Pneumothorax" in parsed.chunks[1].text


def test_plain_text_and_markdown_titles(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("First paragraph.\n\nSecond paragraph.\n")
    (tmp_path / "guide.md").write_text("# Nodules\n## Solid\nFollow up.\n")
    assert parse_document(tmp_path / "notes.txt").chunks[0].text.startswith("First paragraph.")
    parsed = parse_document(tmp_path / "guide.md")
    assert parsed.title == "Nodules"
    assert parsed.chunks[0].section == "Nodules > Solid"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("broken.pdf", b"%PDF-1.4 garbage", CorruptFileError),
        ("empty.md", b"   \n", CorruptFileError),
        ("latin1.txt", "caf\xe9".encode("latin-1"), CorruptFileError),
        ("slides.pptx", b"PK\x03\x04", UnsupportedFileError),
    ],
)
def test_bad_files_raise_errors_naming_the_file(tmp_path: Path, name: str, content: bytes, error: type) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match=name):
        parse_document(path)


def test_report_corpus_skips_bad_lines_and_tags_domains(tmp_path: Path) -> None:
    corpus = tmp_path / "reports.jsonl"
    corpus.write_text(
        '{"id": "r1", "report": "Chest CT shows a right upper lobe mass."}\n'
        "not json\n"
        '{"id": "r2"}\n'
        '{"roco_id": "R3", "caption": "Axial MRI of the brain.", "license": "CC BY"}\n'
    )
    parsed, problems = parse_reports(corpus)
    assert [c.chunk_id for c in parsed.chunks] == ["reports#r1", "reports#R3"]
    assert parsed.chunks[0].metadata["domain"] == "radiology:chest"
    assert parsed.chunks[0].metadata["modality"] == "CT"
    assert parsed.chunks[1].metadata["license"] == "CC BY"
    assert len(problems) == 2 and ":2:" in problems[0] and ":3:" in problems[1]


def test_vqa_rad_cases_keep_metadata_and_hide_test_answers(datasets: Path) -> None:
    cases = load_vqa_rad_cases(datasets / "vqa-rad")
    assert len(cases) == 315
    by_id = {c.case_id: c for c in cases}
    case = by_id["synpic29265"]
    assert case.domain == "radiology:chest"
    assert all(qa["split"] == "train" for qa in case.metadata["qa"])
    with_test = {c.case_id: c for c in load_vqa_rad_cases(datasets / "vqa-rad", include_test_qa=True)}
    assert len(with_test["synpic29265"].metadata["qa"]) > len(case.metadata["qa"])
    assert "airspace consolidation on the left side" in with_test["synpic29265"].text
    assert "airspace consolidation on the left side" not in case.text
