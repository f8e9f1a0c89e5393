"""Admin pages (placeholder, being written)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.deps import CurrentUser
from app.web import render

router = APIRouter()


@router.get("/admin/pengguna", name="admin_users")
def admin_users(request: Request, user: CurrentUser) -> Response:
    return render(request, "base.html", {})
