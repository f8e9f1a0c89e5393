"""Input shapes of the admin forms."""

from dataclasses import dataclass

from app.forms import FormErrors, parse_int, parse_text
from app.i18n import N_
from app.models import ROLES


@dataclass
class UserInput:
    username: str
    full_name: str
    role: str
    area_code: str
    password: str


def user_input_parse(values: dict[str, str]) -> tuple[UserInput | None, FormErrors]:
    errors = FormErrors()
    username = parse_text(values.get("username", ""), name="username", errors=errors, required=True, max_length=64)
    full_name = parse_text(values.get("full_name", ""), name="full_name", errors=errors, required=True, max_length=120)
    role = values.get("role", "").strip()
    if role not in ROLES:
        errors.add("role", N_("Peran tidak dikenal."))
    area_code = parse_text(values.get("area_code", ""), name="area_code", errors=errors, max_length=13)
    password = values.get("password", "")
    if not password:
        errors.add("password", N_("Wajib diisi."))
    if errors:
        return None, errors
    return UserInput(username=username, full_name=full_name, role=role, area_code=area_code, password=password), errors


@dataclass
class KelompokInput:
    name: str
    village_code: str
    pendamping_id: int | None
    default_place: str


def pendamping_id_parse(raw: str, *, errors: FormErrors) -> int | None:
    """An empty choice means "no pendamping yet"."""
    return parse_int(raw, name="pendamping_id", errors=errors, minimum=1, required=False)


def kelompok_input_parse(values: dict[str, str]) -> tuple[KelompokInput | None, FormErrors]:
    errors = FormErrors()
    name = parse_text(values.get("name", ""), name="name", errors=errors, required=True, max_length=120)
    village_code = parse_text(
        values.get("village_code", ""), name="village_code", errors=errors, required=True, max_length=13
    )
    pendamping_id = pendamping_id_parse(values.get("pendamping_id", ""), errors=errors)
    default_place = parse_text(values.get("default_place", ""), name="default_place", errors=errors, max_length=200)
    if errors:
        return None, errors
    return KelompokInput(
        name=name, village_code=village_code, pendamping_id=pendamping_id, default_place=default_place
    ), errors


@dataclass
class UserEdit:
    full_name: str
    role: str
    area_code: str
    version: int


def user_edit_parse(values: dict[str, str]) -> tuple[UserEdit | None, FormErrors]:
    """Name, role and area of an existing user, and the version the form was made from."""
    errors = FormErrors()
    full_name = parse_text(values.get("full_name", ""), name="full_name", errors=errors, required=True, max_length=120)
    role = values.get("role", "").strip()
    if role not in ROLES:
        errors.add("role", N_("Peran tidak dikenal."))
    area_code = parse_text(values.get("area_code", ""), name="area_code", errors=errors, max_length=13)
    version = parse_int(values.get("version", ""), name="version", errors=FormErrors(), minimum=1, required=False)
    if version is None:
        errors.add("form", N_("Formulir tidak lengkap. Muat ulang halaman lalu coba lagi."))
    if errors or version is None:
        return None, errors
    return UserEdit(full_name=full_name, role=role, area_code=area_code, version=version), errors
