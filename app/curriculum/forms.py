"""Input shapes of the curriculum edit forms."""

from dataclasses import dataclass

from app.curriculum.service import DURATION_MAX, DURATION_MIN, MODULE_TITLE_MAX, TOPIC_TITLE_MAX
from app.forms import FormErrors, parse_int, parse_text


@dataclass
class TopicInput:
    title: str
    duration_minutes: int
    active: bool


def topic_input_parse(values: dict[str, str]) -> tuple[TopicInput | None, FormErrors]:
    errors = FormErrors()
    title = parse_text(values.get("title", ""), name="title", errors=errors, required=True, max_length=TOPIC_TITLE_MAX)
    duration = parse_int(
        values.get("duration_minutes", ""),
        name="duration_minutes",
        errors=errors,
        minimum=DURATION_MIN,
        maximum=DURATION_MAX,
    )
    if errors or duration is None:
        return None, errors
    return TopicInput(title=title, duration_minutes=duration, active="active" in values), errors


@dataclass
class ModuleInput:
    title: str
    active: bool


def module_input_parse(values: dict[str, str]) -> tuple[ModuleInput | None, FormErrors]:
    errors = FormErrors()
    title = parse_text(values.get("title", ""), name="title", errors=errors, required=True, max_length=MODULE_TITLE_MAX)
    if errors:
        return None, errors
    return ModuleInput(title=title, active="active" in values), errors
