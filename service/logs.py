"""Structured JSON logs with a request id, and the audit trail.

Log lines carry ids, routes, statuses and timings, never pixels, DICOM patient tags or question text;
question text appears only when ``MEDCITE_LOG_LEVEL=DEBUG``. The audit log records who (key id) used
which route, when, on which index version, and which source ids the answer returned.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

LOGGER = "medcite"
AUDIT_LOGGER = "medcite.audit"
_HANDLER_MARK = "_medcite_handler"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
_RENAME = {"asctime": "time", "levelname": "level", "name": "logger"}


class RequestIdFilter(logging.Filter):
    """Stamps every record with the request being served (``-`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.__dict__.pop("color_message", None)  # uvicorn's terminal-coloured copy of the message
        return True


def new_request_id(offered: str | None) -> str:
    """A caller's ``X-Request-ID`` is kept when it is a plain token (so it can be traced end to end)."""
    if offered and _REQUEST_ID.match(offered):
        return offered
    return uuid.uuid4().hex


def _json_handler(stream_or_path: Path | None) -> logging.Handler:
    handler: logging.Handler = (
        logging.FileHandler(stream_or_path, encoding="utf-8")
        if stream_or_path is not None
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(JsonFormatter(_FIELDS, rename_fields=_RENAME, timestamp=False))
    handler.addFilter(RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)
    return handler


def _replace_handlers(logger: logging.Logger, handler: logging.Handler) -> None:
    for old in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)


def configure_logging(level: str, audit_log: Path | None) -> None:
    """JSON lines on stderr for medcite and uvicorn; the audit trail to its own file when one is given.

    Idempotent: a second app in the same process replaces the handlers instead of doubling them.
    """
    handler = _json_handler(None)
    for name in (LOGGER, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        _replace_handlers(logger, handler)
        logger.setLevel(level)
        logger.propagate = name == LOGGER  # medcite records also reach root handlers (pytest caplog); uvicorn ones not
    # Every request is logged by the access middleware with its id; uvicorn's own line would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
    audit = logging.getLogger(AUDIT_LOGGER)
    audit.setLevel(logging.INFO)
    if audit_log is not None:
        audit_log.parent.mkdir(parents=True, exist_ok=True)
        _replace_handlers(audit, _json_handler(audit_log))
        audit.propagate = False
    else:
        for old in [h for h in audit.handlers if getattr(h, _HANDLER_MARK, False)]:
            audit.removeHandler(old)
        audit.propagate = True


def audit(
    *, key_id: str, route: str, status: int, index_version: str | None, source_ids: list[str], **extra: Any
) -> None:
    """One audit record; ``extra`` must hold identifiers only, never report or question text."""
    logging.getLogger(AUDIT_LOGGER).info(
        "audit",
        extra={
            "key_id": key_id,
            "route": route,
            "status": status,
            "index_version": index_version,
            "source_ids": source_ids,
            **extra,
        },
    )
