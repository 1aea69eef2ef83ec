"""The HTTP service (FastAPI) over the ``rag`` façade: ask, retrieve, stage, documents, FHIR, web page.

Its third-party needs are the ``service`` extra; a missing one is named here, at import, with the fix.
"""

from importlib.util import find_spec

_EXTRA = ("redis", "fhir", "prometheus_fastapi_instrumentator", "pythonjsonlogger")
_missing = [name for name in _EXTRA if find_spec(name) is None]
if _missing:
    raise ImportError(f"the medcite service needs {_missing}; install them with `pip install 'medcite[service]'`")
