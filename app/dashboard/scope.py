"""Which area a dashboard, report or export looks at, checked against the user's own scope."""

from sqlmodel import Session

from app.access import DASHBOARD_ROLES, area_visible, require_role
from app.errors import NotFound
from app.i18n import N_
from app.models import Area, Role, User


def area_resolve(*, session: Session, user: User, code: str) -> Area | None:
    """The area asked for (default: the user's own); None means an admin's whole country.

    An area outside the user's scope is reported as not found, like one that does not exist.
    """
    require_role(user, *DASHBOARD_ROLES)
    code = code.strip()[:13]
    if not code:
        if user.role == Role.ADMIN and not user.area_code:
            return None
        code = user.area_code or ""
    area = session.get(Area, code) if code else None
    if area is None or not area_visible(user, area.code):
        raise NotFound(N_("Wilayah tidak ditemukan."))
    return area
