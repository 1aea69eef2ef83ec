"""Metadata filters: an inverted index from (key, string value) to internal ids.

A filter then costs a few set operations instead of a scan over every item's metadata, and its
result becomes a FAISS ``IDSelector`` so the index itself only considers matching items.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rag.errors import InputError

FilterValue = str | Sequence[str]
Filters = Mapping[str, FilterValue]


def _string_values(value: Any) -> Iterator[str]:
    """Filterable values of one metadata field: a string, or the strings inside a list."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))


def normalise_filters(filters: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Validate ``{key: value | [values]}`` and turn every condition into a set of accepted values."""
    if not isinstance(filters, Mapping):
        raise InputError(f"filters must be a mapping of metadata key to value(s), got {type(filters).__name__}")
    conditions: dict[str, frozenset[str]] = {}
    for key, wanted in filters.items():
        if not isinstance(key, str):
            raise InputError(f"filter keys must be strings, got {key!r}")
        if isinstance(wanted, str):
            conditions[key] = frozenset([wanted])
        elif isinstance(wanted, Sequence) and all(isinstance(item, str) for item in wanted):
            conditions[key] = frozenset(wanted)
        else:
            raise InputError(f"filter {key!r} must be a string or a list of strings, got {wanted!r}")
    return conditions


class MetadataIndex:
    """Postings ``key -> value -> internal ids`` over string metadata values (and lists of strings).

    Non-string values (numbers, nested objects) are stored but not filterable.
    """

    def __init__(self) -> None:
        self._postings: dict[str, dict[str, set[int]]] = {}

    def add(self, internal_id: int, metadata: Mapping[str, Any]) -> None:
        for key, value in metadata.items():
            by_value = self._postings.setdefault(key, {})
            for text in _string_values(value):
                by_value.setdefault(text, set()).add(internal_id)

    def remove(self, internal_id: int, metadata: Mapping[str, Any]) -> None:
        for key, value in metadata.items():
            by_value = self._postings.get(key, {})
            for text in _string_values(value):
                members = by_value.get(text)
                if members is not None:
                    members.discard(internal_id)
                    if not members:
                        del by_value[text]

    def match(self, conditions: Mapping[str, frozenset[str]]) -> set[int]:
        """Internal ids meeting every condition (AND over keys, OR over a key's values)."""
        result: set[int] | None = None
        # Smallest candidate set first keeps the intersections cheap.
        candidates = sorted((self._union(key, values) for key, values in conditions.items()), key=len)
        for members in candidates:
            result = set(members) if result is None else result & members
            if not result:
                return set()
        return result if result is not None else set()

    def _union(self, key: str, values: frozenset[str]) -> set[int]:
        by_value = self._postings.get(key, {})
        union: set[int] = set()
        for value in values:
            union |= by_value.get(value, set())
        return union
