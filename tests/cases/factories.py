"""Cases made through the real service."""

from datetime import date

from sqlmodel import Session

from app.access import family_kelompok
from app.cases.forms import CaseInput
from app.cases.service import case_create
from app.clock import today_local
from app.models import CaseFile, CaseType, CaseUrgency, Family, User

SECRET = "RAHASIA-7Q3Z anak dipukul ayah tiri"


def case_make(
    session: Session,
    *,
    user: User,
    family: Family,
    case_type: str = CaseType.KEKERASAN_ANAK,
    urgency: str = CaseUrgency.DARURAT,
    description: str = SECRET,
    worker: User | None = None,
    confidential: bool = False,
    opened_on: date | None = None,
) -> CaseFile:
    data = CaseInput(
        programme_id=family.programme_id,
        member_id=None,
        case_type=case_type,
        urgency=urgency,
        description=description,
        worker_id=(worker or user).id,
        confidential=confidential,
        opened_on=opened_on or today_local(),
    )
    return case_create(
        session=session, user=user, family=family, kelompok=family_kelompok(session=session, family=family), data=data
    )
