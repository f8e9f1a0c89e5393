"""Reading the curriculum."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import CurriculumModule, Topic


@dataclass(frozen=True)
class TopicRef:
    id: int
    no: int
    title: str
    module_id: int
    module_no: int
    module_code: str
    module_title: str
    core: bool
    duration_minutes: int


def topics_active(*, session: Session, core_only: bool = False) -> list[TopicRef]:
    """Active topics in teaching order: core modules 1–5 (sessions 1–14), then optional modules."""
    query = (
        select(Topic, CurriculumModule)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .where(col(Topic.active).is_(True), col(CurriculumModule.active).is_(True))
        .order_by(col(CurriculumModule.no), col(Topic.no))
    )
    if core_only:
        query = query.where(col(Topic.core).is_(True), col(CurriculumModule.core).is_(True))
    return [
        TopicRef(
            id=t.id or 0, no=t.no, title=t.title, module_id=m.id or 0, module_no=m.no, module_code=m.code,
            module_title=m.title, core=t.core and m.core, duration_minutes=t.duration_minutes,
        )
        for t, m in session.exec(query).all()
    ]


def topic_label(topic: TopicRef) -> str:
    return f"{topic.no}. {topic.title}" if topic.core else f"{topic.module_code} {topic.no}. {topic.title}"
