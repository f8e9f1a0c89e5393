"""Reading the curriculum."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import NotFound
from app.i18n import N_
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
            id=t.id or 0,
            no=t.no,
            title=t.title,
            module_id=m.id or 0,
            module_no=m.no,
            module_code=m.code,
            module_title=m.title,
            core=t.core and m.core,
            duration_minutes=t.duration_minutes,
        )
        for t, m in session.exec(query).all()
    ]


def topic_label(topic: TopicRef) -> str:
    return f"{topic.no}. {topic.title}" if topic.core else f"{topic.module_code} {topic.no}. {topic.title}"


@dataclass(frozen=True)
class ModuleWithTopics:
    module: CurriculumModule
    topics: list[Topic]


def curriculum_tree(*, session: Session, module_id: int | None = None) -> list[ModuleWithTopics]:
    """Every module (or just one) with all its topics, active or not, in teaching order."""
    modules_query = select(CurriculumModule).order_by(col(CurriculumModule.no))
    topics_query = select(Topic).order_by(col(Topic.module_id), col(Topic.no))
    if module_id is not None:
        modules_query = modules_query.where(CurriculumModule.id == module_id)
        topics_query = topics_query.where(Topic.module_id == module_id)
    modules = session.exec(modules_query).all()
    topics = session.exec(topics_query).all()
    by_module: dict[int, list[Topic]] = {}
    for topic in topics:
        by_module.setdefault(topic.module_id, []).append(topic)
    return [ModuleWithTopics(module=m, topics=by_module.get(m.id or 0, [])) for m in modules]


def topic_with_module(*, session: Session, topic_id: int) -> tuple[Topic, CurriculumModule]:
    row = session.exec(
        select(Topic, CurriculumModule)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .where(Topic.id == topic_id)
    ).first()
    if row is None:
        raise NotFound(N_("Sesi kurikulum tidak ditemukan."))
    return row[0], row[1]
