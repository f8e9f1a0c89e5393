"""The header search box's page."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.audit import access_record
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.models import AccessAction
from app.search.queries import search_run
from app.search.rules import search_parse
from app.web import render

router = APIRouter()


@router.get("/cari", name="search")
def search(request: Request, session: SessionDep, user: CurrentUser, q: str = "") -> Response:
    query = search_parse(q)
    results = search_run(session=session, user=user, query=query) if query.key or query.number else None
    if results is not None and any(hit.full_numbers for hit in results.families):
        access_record(session=session, user=user, action=AccessAction.NIK_VIEW, entity="search", detail="cari")
    context = {"query": query, "results": results}
    return render(request, "search/results.html", context, targets={"search-results": "results"})
