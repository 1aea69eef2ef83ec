import pytest

from rag.ingest.markdown import chunk_markdown, iter_sections, slugify

pytestmark = pytest.mark.unit

DOC = """---
title: ignored front matter
---
Intro line before any heading.

# Lung staging

## N category

### N2a / N2b
Single station is N2a.

Several stations are N2b.

```
# not a heading inside a fence
```

## M category
M1a covers pleural nodules.
"""


def test_sections_follow_heading_paths_and_skip_front_matter() -> None:
    sections = list(iter_sections(DOC))
    assert [s.label for s in sections] == [
        "(preamble)",
        "Lung staging > N category > N2a / N2b",
        "Lung staging > M category",
    ]
    assert "front matter" not in sections[0].body


def test_chunk_ids_are_stable_citable_and_spans_locate_the_section() -> None:
    chunks = chunk_markdown(DOC, "tnm", "TNM")
    assert [c.chunk_id for c in chunks] == [
        "tnm#preamble",
        "tnm#lung-staging/n-category/n2a-n2b",
        "tnm#lung-staging/m-category",
    ]
    for chunk in chunks:
        assert chunk.text.split("\n\n")[0] in DOC[chunk.char_start : chunk.char_end]
    assert "# not a heading inside a fence" in chunks[1].text
    assert chunk_markdown(DOC, "tnm", "TNM") == chunks


def test_links_lists_and_tables_keep_their_meaning() -> None:
    doc = (
        "# Treatment\n## Stage IIIA\nOptions include:\n\n1. [Surgery](/types/x#_658) with adjuvant therapy."
        "[[12](#cit/section_7.12)]\n2. [Chemoradiation therapy](/types/x#_4846).\n\n"
        "| Stage | T | N |\n|---|---|---|\n| IIIA | T1a | N2 |\n| IIIB | T3 | N2 |\n"
    )
    [chunk] = chunk_markdown(doc, "pdq", "PDQ")
    assert chunk.text == (
        "Options include:\n1. Surgery with adjuvant therapy.\n2. Chemoradiation therapy.\n\n"
        "Stage: IIIA; T: T1a; N: N2\nStage: IIIB; T: T3; N: N2"
    )


def test_a_second_delimiter_row_inside_a_table_is_not_a_row() -> None:
    """PDQ's AJCC tables carry an empty row and another "| --- |" row inside the body."""
    doc = (
        "# M\n| M Category | | M Criteria |\n| --- | --- | --- |\n|  |  |  |\n| --- | :---: | --- |\n"
        "| M0 | | No distant metastasis. |\n|  | M1a | Malignant pleural effusion. |\n"
    )
    [chunk] = chunk_markdown(doc, "pdq", "PDQ")
    assert chunk.text == (
        "M Category: M0; M Criteria: No distant metastasis.\nM1a; M Criteria: Malignant pleural effusion."
    )


def test_long_sections_split_on_paragraphs_with_suffixed_ids() -> None:
    body = "\n\n".join(f"Paragraph {i} " + "word " * 40 for i in range(6))
    chunks = chunk_markdown(f"# Long\n{body}\n", "doc", "Doc", max_chars=500)
    assert len(chunks) > 1
    assert chunks[0].chunk_id == "doc#long" and chunks[1].chunk_id == "doc#long~2"
    assert all(len(c.text) <= 500 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == body.split()


def test_repeated_headings_get_distinct_ids() -> None:
    chunks = chunk_markdown("# A\none\n# A\ntwo\n", "d", "D")
    assert [c.chunk_id for c in chunks] == ["d#a", "d#a-2"]


def test_slugify() -> None:
    assert slugify("N2a / N2b (9th ed.)") == "n2a-n2b-9th-ed"
    assert slugify("***") == "section"
