"""``Annotated`` dependency aliases the routes share: the state, the caller and what it may do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from service.auth import BASIC_CHALLENGE, BEARER_CHALLENGE, Principal
from service.settings import Scope
from service.state import ServiceState


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.medcite
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def _access(scope: Scope, what: str, challenge: str) -> Callable[[Request, ServiceState], Awaitable[Principal]]:
    """Authenticate (401), check the scope (403), then count the request against the caller's rate limit (429)."""

    async def dependency(request: Request, state: StateDep) -> Principal:
        principal = state.keys.authenticate(request, challenge=challenge)
        state.keys.authorise(principal, scope, what)
        request.state.key_id = principal.key_id
        client = request.client.host if request.client else "unknown"
        await state.rate_limiter.check(principal.key_id if principal.authenticated else f"ip:{client}")
        return principal

    return dependency


_read = _access("read", "read", BEARER_CHALLENGE)
_write = _access("write", "change documents", BEARER_CHALLENGE)
_browse = _access("read", "open the web page", BASIC_CHALLENGE)

Reader = Annotated[Principal, Depends(_read)]
Writer = Annotated[Principal, Depends(_write)]
Browser = Annotated[Principal, Depends(_browse)]

OutputFormat = Literal["json", "fhir"]
FormatParam = Annotated[
    OutputFormat,
    Query(alias="format", description="json (the CLI contract) or fhir (a FHIR R4 DiagnosticReport)."),
]
