"""``/v1/documents`` and ``/v1/sources``: the knowledge base and the passages answers cite."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.schemas.common import Open


class DocumentSummary(Open):
    doc_id: str = Field(examples=["pleural-effusion"])
    title: str
    kind: str = Field(examples=["passage", "report", "cases"])
    items: int = Field(description="Indexed chunks, reports or cases.")
    origin: str = Field(examples=["upload", "index-build"])
    content_hash: str


class DocumentList(BaseModel):
    index_version: str | None
    documents: list[DocumentSummary]


class ChunkRef(BaseModel):
    id: str = Field(examples=["pleural-effusion#pleural-effusion-imaging/split-pleura-sign"])
    section: str | None
    page: int | None
    collection: str


class DocumentDetail(DocumentSummary):
    index_version: str
    chunks: list[ChunkRef]


class DocumentChange(Open):
    doc_id: str
    status: str = Field(examples=["added", "updated", "unchanged", "deleted"])
    index_version: str = Field(description="The index version now served.")
    title: str
    chunks: int
    duplicates: list[str] = Field(description="Chunks skipped because the same text is already indexed.")


class DocumentForm(BaseModel):
    """Multipart upload of one Markdown, text or PDF document; the file name gives its id."""

    file: bytes = Field(description=".md, .markdown, .txt or .pdf file")


class Neighbour(BaseModel):
    source_id: str
    section: str | None
    text: str


class SourceContext(BaseModel):
    previous: Neighbour | None
    next: Neighbour | None


class Highlight(BaseModel):
    start: int
    end: int


class SourceResponse(Open):
    """A cited source with its neighbours in the same document and where the quote sits in it."""

    source_id: str
    kind: str = Field(examples=["passage", "report", "case"])
    domain: str
    doc_id: str
    title: str
    section: str | None
    page: int | None
    text: str
    image: str | None = Field(description="For a similar case: its image file name (thumbnail under /v1/cases).")
    index_version: str | None = Field(description="None when the passage came from the shipped guidelines.")
    context: SourceContext
    highlight: Highlight | None = Field(description="Character span of the requested quote in ``text``.")
