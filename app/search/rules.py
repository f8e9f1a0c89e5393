"""What a search box query asks for, as plain values: a full identity number, or a name fragment."""

from dataclasses import dataclass

from app.i18n import N_
from app.models import name_key_of

NUMBER_LENGTH = 16
KEY_MIN = 2
QUERY_MAX = 100
# Spreadsheet and copy-paste debris around a typed number: 3277-0101 0101.0001, '3277010101010001.
NUMBER_NOISE = str.maketrans("", "", " .-'\u00a0")
LIKE_ESCAPE = "\\"

MSG_TOO_SHORT = N_("Ketik paling sedikit 2 huruf nama, atau NIK / No. KK lengkap (16 digit).")
MSG_NUMBER_PARTIAL = N_("NIK dan No. KK dicari utuh: ketik ke-16 digitnya.")


@dataclass(frozen=True)
class SearchQuery:
    text: str
    number: str | None = None  # a full 16-digit NIK or No. KK
    key: str | None = None  # a name fragment, as name_key_of makes names
    problem: str | None = None  # why nothing is searched (an N_ message)


def search_parse(raw: str) -> SearchQuery:
    """The query as typed (trimmed, capped) and what it asks for."""
    typed = " ".join(raw.split())[:QUERY_MAX]
    if not typed:
        return SearchQuery(text="")
    digits = typed.translate(NUMBER_NOISE)
    if digits.isascii() and digits.isdigit():
        if len(digits) == NUMBER_LENGTH:
            return SearchQuery(text=typed, number=digits)
        return SearchQuery(text=typed, problem=MSG_NUMBER_PARTIAL)
    key = name_key_of(typed)
    if len(key) < KEY_MIN:
        return SearchQuery(text=typed, problem=MSG_TOO_SHORT)
    return SearchQuery(text=typed, key=key)


def like_pattern(key: str) -> str:
    """`%key%` with LIKE's own wildcards in the key taken literally (escape character: backslash)."""
    escaped = key.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"
