"""The FastAPI application: routers, static files, middleware."""

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse

from app import web
from app.settings import ROOT


def _service_worker() -> FileResponse:
    """The offline roll call's service worker, served from the root so its scope covers every page."""
    headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}
    return FileResponse(ROOT / "static" / "sw.js", media_type="text/javascript", headers=headers)


def create_app() -> FastAPI:
    from app.admin.routes import router as admin_router
    from app.assessments.routes import router as assessments_router
    from app.attendance.routes import router as attendance_router
    from app.auth.routes import router as auth_router
    from app.curriculum.routes import router as curriculum_router
    from app.dashboard.routes import router as dashboard_router
    from app.exports.routes import router as exports_router
    from app.families.routes import router as families_router
    from app.graduation.routes import router as graduation_router
    from app.home.routes import router as home_router
    from app.kelompok.routes import router as kelompok_router
    from app.meetings.routes import router as meetings_router
    from app.supervision.routes import router as supervision_router

    app = FastAPI(
        title="P2K2 Tracker", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(web.csrf_protect)]
    )
    web.install(app)
    app.add_middleware(GZipMiddleware, minimum_size=500)  # phones on 3G: pages and assets shrink ~5x
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
        exports_router,
    ):
        app.include_router(router)
    return app


app = create_app()
