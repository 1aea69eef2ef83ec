"""Deterministic stage-group tables of the 8th and 9th editions (M0 grid plus the M1 rows)."""

from __future__ import annotations

from rag.errors import InputError

EDITIONS = ("8", "9")
T_VALUES = ("TX", "T0", "Tis", "T1mi", "T1a", "T1b", "T1c", "T2a", "T2b", "T3", "T4")
N_VALUES = {"8": ("N0", "N1", "N2", "N3"), "9": ("N0", "N1", "N2a", "N2b", "N3")}
M_VALUES = {"8": ("M0", "M1a", "M1b", "M1c"), "9": ("M0", "M1a", "M1b", "M1c1", "M1c2")}

_N0 = {
    "TX": "Occult carcinoma",
    "Tis": "0",
    "T1mi": "IA1",
    "T1a": "IA1",
    "T1b": "IA2",
    "T1c": "IA3",
    "T2a": "IB",
    "T2b": "IIA",
    "T3": "IIB",
    "T4": "IIIA",
}
# Rows: T group; columns: N category (M0 only).
_GRID_8 = {
    "T1": {"N1": "IIB", "N2": "IIIA", "N3": "IIIB"},
    "T2": {"N1": "IIB", "N2": "IIIA", "N3": "IIIB"},
    "T3": {"N1": "IIIA", "N2": "IIIB", "N3": "IIIC"},
    "T4": {"N1": "IIIA", "N2": "IIIB", "N3": "IIIC"},
}
_GRID_9 = {
    "T1": {"N1": "IIA", "N2a": "IIB", "N2b": "IIIA", "N3": "IIIB"},
    "T2": {"N1": "IIB", "N2a": "IIIA", "N2b": "IIIB", "N3": "IIIB"},
    "T3": {"N1": "IIIA", "N2a": "IIIA", "N2b": "IIIB", "N3": "IIIC"},
    "T4": {"N1": "IIIA", "N2a": "IIIB", "N2b": "IIIB", "N3": "IIIC"},
}
_T_GROUP = {"T1mi": "T1", "T1a": "T1", "T1b": "T1", "T1c": "T1", "T2a": "T2", "T2b": "T2", "T3": "T3", "T4": "T4"}


def check_edition(edition: str) -> str:
    """Normalise an edition argument ("8", "9", "8th", 9) or raise :class:`InputError`."""
    value = str(edition).strip().lower().removesuffix("th")
    if value not in EDITIONS:
        raise InputError(f"edition must be '8' or '9', got {edition!r}")
    return value


def stage_group(edition: str, t: str, n: str, m: str) -> str | None:
    """Stage group for one fully known T/N/M combination; None where the tables define no group."""
    edition = check_edition(edition)
    if t not in T_VALUES or n not in N_VALUES[edition] or m not in M_VALUES[edition]:
        raise InputError(f"no {edition}th-edition category combination {t} {n} {m}")
    if m in ("M1a", "M1b"):
        return "IVA"
    if m != "M0":
        return "IVB"
    if n == "N0":
        return _N0.get(t)
    group = _T_GROUP.get(t)
    if group is None:
        return None
    return (_GRID_8 if edition == "8" else _GRID_9)[group][n]
