"""The report's own TNM, when the radiologist wrote one ("cT3N2M0"): a cross-check, never an input.

Staging stays computed from the findings; when the report states a classification that differs from
the computed one, the result says so, so a reviewer looks at that category first.
"""

from __future__ import annotations

import re

_STATED = re.compile(
    r"(?<![A-Za-z])[cpy]?T(?P<t>X|0|is|[1-4](?:mi|[a-c])?)\s*,?\s*N(?P<n>X|[0-3][ab]?)\s*,?\s*M(?P<m>X|0|1[a-c]?[12]?)(?![A-Za-z0-9])"
)


def stated_tnm(report: str) -> tuple[str, str, str] | None:
    """The last complete T/N/M triple written in the report, or None."""
    found = list(_STATED.finditer(report))
    if not found:
        return None
    last = found[-1]
    return f"T{last.group('t')}", f"N{last.group('n')}", f"M{last.group('m')}"


def disagreement(report: str, t: str, n: str, m: str) -> str | None:
    """A warning when the report's own main categories (T2, N2, M1) differ from the computed ones."""
    stated = stated_tnm(report)
    if stated is None:
        return None
    computed = (t, n, m)
    differing = [f"{s} vs {c}" for s, c in zip(stated, computed, strict=True) if _main(s) != _main(c) and "X" not in s]
    if not differing:
        return None
    return f"the report states {''.join(stated)}; computed categories differ ({'; '.join(differing)}): review them"


def _main(category: str) -> str:
    """Main category: T2a -> T2, N2b -> N2, M1c2 -> M1, Tis -> Tis."""
    match = re.match(r"([TNM])(is|X|\d)", category)
    return match.group(0) if match else category
