"""API-key authentication (401: who are you?) and scope checks (403: you may not do this).

Keys are compared by SHA-256 digest in constant time; the presented key is never stored or logged.
A key may come as ``X-API-Key``, ``Authorization: Bearer`` or, for the web page in a browser, as the
password of HTTP Basic auth (the browser then sends it with every request the page makes).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request

from service.settings import SCOPES, ApiKey, Scope, hash_key

API_KEY_HEADER = "X-API-Key"
BEARER_CHALLENGE = 'Bearer realm="medcite"'
BASIC_CHALLENGE = 'Basic realm="medcite", charset="UTF-8"'


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``key_id`` names the key in logs and audit (``anonymous`` when auth is off)."""

    key_id: str
    scopes: frozenset[str]
    authenticated: bool


ANONYMOUS = Principal("anonymous", frozenset(SCOPES), authenticated=False)


def _unauthorised(message: str, challenge: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": challenge})


def presented_key(request: Request, challenge: str) -> str | None:
    """The key the request carries, from whichever header it used; a malformed header is a 401."""
    header_key = request.headers.get(API_KEY_HEADER)
    if header_key:
        return header_key.strip()
    authorization = request.headers.get("Authorization", "").strip()
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _unauthorised("malformed Basic credentials: expected base64 of 'user:API key'", challenge) from exc
        _, _, password = decoded.partition(":")
        return password or None
    raise _unauthorised(
        f"unsupported Authorization scheme {scheme!r}: send 'Authorization: Bearer <key>' or '{API_KEY_HEADER}: <key>'",
        challenge,
    )


class KeyRing:
    """The configured keys by digest; empty means auth is off and every caller is anonymous."""

    def __init__(self, keys: list[ApiKey]) -> None:
        ids = [key.id for key in keys]
        duplicates = sorted({key_id for key_id in ids if ids.count(key_id) > 1})
        if duplicates:
            raise ValueError(f"API key ids must be unique; repeated: {duplicates}")
        self._keys = [(key.digest, key) for key in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def authenticate(self, request: Request, *, challenge: str = BEARER_CHALLENGE) -> Principal:
        if not self.enabled:
            return ANONYMOUS
        key = presented_key(request, challenge)
        if key is None:
            raise _unauthorised(
                f"missing API key: send it as '{API_KEY_HEADER}: <key>' or 'Authorization: Bearer <key>'", challenge
            )
        digest = hash_key(key)
        match: ApiKey | None = None
        for stored, candidate in self._keys:  # compare with every key so timing does not tell which one is close
            if hmac.compare_digest(stored, digest):
                match = candidate
        if match is None:
            raise _unauthorised("API key not recognised: check the key or ask for a new one", challenge)
        return Principal(match.id, frozenset(match.scopes), authenticated=True)

    @staticmethod
    def authorise(principal: Principal, scope: Scope, what: str) -> None:
        if scope not in principal.scopes:
            raise HTTPException(
                status_code=403,
                detail=f"API key {principal.key_id!r} lacks the {scope!r} scope needed to {what}",
            )
