"""The FastAPI application: routers, static files, middleware."""

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse

from app import observability, params, web
from app.admission import AdmissionLimit
from app.db import SessionDep
from app.settings import ROOT, Settings, get_settings

# How long a thread runs before the GIL passes to a waiting one (Python's default: 5 ms). A request gives the GIL up
# at every database statement and then waits for it back; while it holds SQLite's write lock (or a row lock on
# PostgreSQL) every writer of both processes waits with it. At 5 ms a 10-statement tap could hold the lock 50 ms
# behind pages being rendered. Measured at 100 taps/s on SQLite: p95 16.7 → 12.8 ms, p99 54 → 30 ms at 0.5 ms.
GIL_SWITCH_SECONDS = 0.0005


def settings_check() -> Settings:
    """Unsafe settings stop the server at start-up with a readable reason, not a 500 on every request."""
    try:
        return get_settings()
    except ValidationError as exc:
        reasons = "; ".join(str(err.get("msg", "")).removeprefix("Value error, ") for err in exc.errors())
        raise RuntimeError(f"P2K2 refuses to start: {reasons}") from None


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    settings = settings_check()
    observability.logging_configure(log_format=settings.log_format)
    # As many worker threads as pooled connections (app.db sizes the pool from the same setting).
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    web.templates_compile()
    # What start-up made lives as long as the process: out of the collector's sight, a full collection scans a
    # fraction of the objects (under load they paused a process for 80-145 ms, the write lock held meanwhile).
    gc.collect()
    gc.freeze()
    yield


def ready(session: SessionDep) -> JSONResponse:
    """Readiness beside `/sehat`: the database answers and its schema is at the newest migration (else 503)."""
    status, body = observability.readiness_check(session=session)
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _service_worker() -> FileResponse:
    """The offline roll call's service worker, served from the root so its scope covers every page."""
    headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}
    return FileResponse(ROOT / "static" / "sw.js", media_type="text/javascript", headers=headers)


def create_app() -> FastAPI:
    from app.admin.routes import router as admin_router
    from app.aid.routes import router as aid_router
    from app.assessments.routes import router as assessments_router
    from app.attendance.routes import router as attendance_router
    from app.auth.routes import router as auth_router
    from app.cases.routes import router as cases_router
    from app.curriculum.routes import router as curriculum_router
    from app.dashboard.routes import router as dashboard_router
    from app.exports.routes import router as exports_router
    from app.families.routes import router as families_router
    from app.graduation.routes import router as graduation_router
    from app.history.routes import router as history_router
    from app.home.routes import router as home_router
    from app.kelompok.routes import router as kelompok_router
    from app.meetings.routes import router as meetings_router
    from app.notifications.routes import router as notifications_router
    from app.reports.routes import router as reports_router
    from app.roster.routes import router as roster_router
    from app.search.routes import router as search_router
    from app.supervision.routes import router as supervision_router
    from app.worklists.routes import router as worklists_router

    app = FastAPI(
        title="P2K2 Tracker",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(web.csrf_protect), Depends(params.params_check)],
        lifespan=lifespan,
    )
    web.install(app)
    app.add_middleware(params.InputClean)
    app.add_middleware(GZipMiddleware, minimum_size=500)  # phones on 3G: pages and assets shrink ~5x
    app.add_middleware(AdmissionLimit)  # sized from the settings (BUSY_*) at the first request
    observability.install(app)
    app.add_api_route("/siap", ready, methods=["GET"], name="ready", include_in_schema=False)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_api_route("/sw.js", _service_worker, methods=["GET"], include_in_schema=False)
    for router in (
        auth_router,
        home_router,
        kelompok_router,
        meetings_router,
        attendance_router,
        families_router,
        curriculum_router,
        admin_router,
        assessments_router,
        graduation_router,
        dashboard_router,
        supervision_router,
        roster_router,
        exports_router,
        history_router,
        reports_router,
        search_router,
        cases_router,
        notifications_router,
        worklists_router,
        aid_router,
    ):
        app.include_router(router)
    web.url_index_install(app)
    return app


app = create_app()
