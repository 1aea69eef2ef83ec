"""``medcite eval report``: report.md and a self-contained report.html (plots as base64 PNG) from a run folder."""
