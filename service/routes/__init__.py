"""Every router, aggregated in one place."""

from fastapi import APIRouter

from service.routes import ask, documents, health, jobs, stage, web

router = APIRouter()
for module in (health, ask, stage, documents, jobs, web):
    router.include_router(module.router)
