"""Input shapes of the meeting forms."""

from dataclasses import dataclass
from datetime import date, time

from app.forms import FormErrors, parse_date, parse_int, parse_text, parse_time


@dataclass
class MeetingInput:
    topic_id: int
    day: date
    start: time
    place: str


def meeting_input_parse(values: dict[str, str], *, need_topic: bool = True) -> tuple[MeetingInput | None, FormErrors]:
    errors = FormErrors()
    topic_id = parse_int(values.get("topic_id", ""), name="topic_id", errors=errors, minimum=1) if need_topic else 0
    day = parse_date(values.get("date", ""), name="date", errors=errors)
    start = parse_time(values.get("start_time", ""), name="start_time", errors=errors)
    place = parse_text(values.get("place", ""), name="place", errors=errors, max_length=200)
    if errors or day is None or start is None or topic_id is None:
        return None, errors
    return MeetingInput(topic_id=topic_id, day=day, start=start, place=place), errors
