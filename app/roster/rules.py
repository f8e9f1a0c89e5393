"""The roster template and how a damaged spreadsheet cell becomes a value or a message: plain functions."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.i18n import N_, gettext
from app.identity.rules import DECIMAL, SCIENTIFIC, nik_check
from app.models import Relationship, Schooling, Sex


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header, Indonesian
    required: bool
    synonyms: tuple[str, ...]
    example: str
    help: str


COLUMNS = (
    Column(
        "kk",
        "No. KK",
        True,
        ("No KK", "Nomor KK", "Nomor Kartu Keluarga", "NoKK", "KK", "No. Kartu Keluarga"),
        "3277011201090001",
        N_("16 digit, diketik sebagai teks"),
    ),
    Column(
        "id_pkh",
        "ID PKH",
        False,
        ("ID KPM", "IDKPM", "ID Keluarga", "ID DTSEN", "ID Peserta PKH", "ID Pengurus"),
        "PKH-0001",
        N_("ID keluarga di e-PKH / DTSEN; kosong: dibuat dari No. KK"),
    ),
    Column(
        "area",
        "Kode Wilayah",
        True,
        (
            "Kode Kelurahan",
            "Kode Desa",
            "Kode Kelurahan/Desa",
            "Kode Kel/Desa",
            "Kode Wilayah Kemendagri",
            "Kode Kelurahan Desa",
        ),
        "32.77.01.1001",
        N_("kode Kemendagri kelurahan/desa"),
    ),
    Column("address", "Alamat", False, ("Alamat Rumah", "Alamat KPM", "Alamat Lengkap"), "Jl. Melong RT 01/RW 02", ""),
    Column(
        "kelompok",
        "Kelompok",
        False,
        ("Nama Kelompok", "Kelompok P2K2", "Kelompok PKH"),
        "Kelompok Mawar",
        N_("nama kelompok yang sudah ada di wilayah Anda"),
    ),
    Column(
        "pendamping",
        "Pendamping",
        False,
        ("Nama Pendamping", "Pendamping PKH", "Nama Pendamping PKH"),
        "Siti Pendamping",
        N_("nama atau nama pengguna pendamping kelompok itu"),
    ),
    Column(
        "enrolled_on",
        "Tanggal Terdaftar",
        False,
        ("Tgl Terdaftar", "Tanggal Masuk PKH", "Tgl Masuk PKH", "Tanggal Kepesertaan"),
        "10/01/2022",
        N_("dd/mm/yyyy; kosong: hari ini"),
    ),
    Column("desil", "Desil", False, ("Desil DTSEN", "Peringkat Desil"), "2", N_("1–10")),
    Column(
        "nik",
        "NIK",
        False,
        ("NIK ART", "NIK Anggota", "NIK Anggota Keluarga", "Nomor Induk Kependudukan", "No NIK", "NIK KTP"),
        "3277014405880001",
        N_("16 digit, diketik sebagai teks; kosong bila belum punya"),
    ),
    Column(
        "name",
        "Nama",
        True,
        ("Nama ART", "Nama Anggota", "Nama Lengkap", "Nama Anggota Keluarga", "Nama Anggota Rumah Tangga"),
        "Ani Suryani",
        "",
    ),
    Column(
        "birth_date",
        "Tanggal Lahir",
        True,
        ("Tgl Lahir", "Tgl. Lahir", "Tanggal Lahir (dd/mm/yyyy)", "TTL Tanggal", "Tanggal Lahir ART"),
        "04/05/1988",
        N_("dd/mm/yyyy"),
    ),
    Column(
        "sex",
        "Jenis Kelamin",
        True,
        ("JK", "L/P", "Jns Kelamin", "Kelamin", "Jenis Kelamin (L/P)"),
        "P",
        N_("L atau P"),
    ),
    Column(
        "relationship",
        "Hubungan Keluarga",
        True,
        (
            "Hubungan",
            "Hub. Keluarga",
            "Hub Keluarga",
            "SHDK",
            "Hubungan dengan Kepala Keluarga",
            "Status Hubungan",
            "Status dalam Keluarga",
            "Hub KRT",
        ),
        "Istri",
        N_("Kepala Keluarga, Istri, Suami, Anak, Orang Tua, Lainnya"),
    ),
    Column(
        "pengurus",
        "Pengurus",
        False,
        ("Pengurus KPM", "Pengurus Keluarga", "Pengurus PKH"),
        "Ya",
        N_("Ya bagi yang hadir P2K2 mewakili keluarga"),
    ),
    Column(
        "schooling",
        "Sekolah",
        False,
        ("Status Sekolah", "Jenjang Sekolah", "Pendidikan", "Jenjang"),
        "",
        N_("Belum, PAUD, SD, SMP, SMA, Lulus, Tidak Sekolah"),
    ),
    Column("pregnant", "Hamil", False, ("Ibu Hamil", "Sedang Hamil"), "Tidak", N_("Ya/Tidak")),
    Column(
        "disability",
        "Disabilitas Berat",
        False,
        ("Disabilitas", "Penyandang Disabilitas Berat"),
        "Tidak",
        N_("Ya/Tidak"),
    ),
    Column(
        "birth_certificate",
        "Akta Lahir",
        False,
        ("Akta Kelahiran", "Punya Akta Lahir", "Akta"),
        "Ya",
        N_("Ya/Tidak; kosong: tidak diketahui"),
    ),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
HEADERS = tuple(c.header for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
REFUSAL_HEADER = "Kesalahan"
HEADER_SCAN_ROWS = 30  # a title and metadata rows ("KABUPATEN:", "BULAN:") may sit above the header
REQUIRED_KEYS = tuple(c.key for c in COLUMNS if c.required)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL and the like: PostgreSQL refuses NUL in text
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_GROUPED_DIGITS = re.compile(r"\d+(?:[.\- ]\d+)+", re.ASCII)
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})", re.ASCII)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", re.ASCII)
_SERIAL = re.compile(r"\d{1,6}(?:[.,]0+)?", re.ASCII)
_INTEGER = re.compile(r"\d{1,3}(?:[.,]0+)?", re.ASCII)
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 1, 73050  # 1900 .. 2099
OLDEST_BIRTH = date(1900, 1, 1)


def header_normal(text: str) -> str:
    """`No. KK`, ` nomor  kk `, `NO_KK` → `nokk`: case, spaces and punctuation do not count."""
    return _NOT_ALNUM.sub("", text.lower())


HEADER_KEYS: dict[str, str] = {header_normal(name): c.key for c in COLUMNS for name in (c.header, *c.synonyms)}


def header_map(cells: list[str]) -> dict[str, int]:
    """Column key → index of the first cell naming it."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = HEADER_KEYS.get(header_normal(cell))
        if key is not None and key not in found:
            found[key] = index
    return found


def header_score(cells: list[str]) -> int:
    """How much a row looks like the header: the required columns it names (No. KK and Nama at least)."""
    found = header_map(cells)
    if "kk" not in found or "name" not in found:
        return 0
    return sum(1 for key in found if key in REQUIRED_KEYS) * 10 + len(found)


# --- cells ---

MSG_REQUIRED = N_("wajib diisi (sel kosong; bila berisi rumus, buka dan simpan ulang berkas di Excel)")
MSG_NUMBER_CELL = N_(
    "%(label)s tersimpan sebagai angka di spreadsheet sehingga digit terakhir hilang (%(value)s); "
    "format kolom sebagai Teks lalu ketik ulang"
)
MSG_TRAILING_ZEROS = N_(
    "%(label)s berakhir 0000: digit terakhir tampaknya hilang oleh spreadsheet; format kolom sebagai "
    "Teks lalu ketik ulang"
)
MSG_NOT_DIGITS = N_("%(label)s harus 16 digit angka (tertulis %(value)s)")
MSG_DATE_IMPOSSIBLE = N_("tanggal %(value)s tidak ada di kalender")
MSG_DATE_FORMAT = N_("tanggal %(value)s tidak dikenali; tulis dd/mm/yyyy, mis. 04/05/1988")
MSG_DATE_RANGE = N_("tanggal %(value)s di luar rentang yang masuk akal (1900 sampai hari ini)")
MSG_SEX = N_("jenis kelamin %(value)s tidak dikenali; tulis L atau P")
MSG_RELATIONSHIP = N_(
    "hubungan %(value)s tidak dikenali; tulis Kepala Keluarga, Istri, Suami, Anak, Orang Tua atau Lainnya"
)
MSG_YES_NO = N_("isi %(value)s tidak dikenali; tulis Ya atau Tidak")
MSG_SCHOOLING = N_("status sekolah %(value)s tidak dikenali; tulis Belum, PAUD, SD, SMP, SMA, Lulus atau Tidak Sekolah")
MSG_DESIL = N_("desil %(value)s harus angka bulat 1–10")
MSG_TOO_LONG = N_("terlalu panjang (maksimal %(max)s karakter)")
MSG_AREA_FORMAT = N_("kode wilayah %(value)s harus berbentuk PP.KK.CC.DDDD, mis. 32.77.01.1001")


def cell_text(value: object) -> str:
    """A cell as the user sees it: numbers without a trailing `.0`, dates as dd/mm/yyyy, text trimmed."""
    if value is None:
        return ""
    if type(value) is str:
        return " ".join(_CONTROL.sub("", value).split()) if value else ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(_CONTROL.sub("", str(value)).split())


def shown(value: object, limit: int = 40) -> str:
    text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number_cell(value: object, *, label: str) -> tuple[str | None, str | None]:
    """A NIK or No. KK cell → (16 digits, None) or (None, the problem). Spaces, apostrophes, quotes and dots or dashes
    between digit groups are taken out; damage a spreadsheet did (scientific notation, decimals, a number cell that
    kept 15 significant digits) is named."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, gettext(MSG_NOT_DIGITS, label=label, value=shown(value))
    if isinstance(value, (int, float)):
        text = cell_text(value)
        if isinstance(value, float) and not value.is_integer():
            return None, gettext(MSG_NOT_DIGITS, label=label, value=text)
        if len(text) == 16 and text.endswith("0"):
            return None, gettext(MSG_NUMBER_CELL, label=label, value=text)
        value = text
    raw = "".join(str(value).split()).strip("'\"`‘’“”")
    if not raw:
        return None, None
    if SCIENTIFIC.fullmatch(raw):
        return None, gettext(
            N_(
                "%(label)s tampaknya rusak oleh spreadsheet (notasi ilmiah %(value)s); format kolom sebagai Teks "
                "lalu ketik ulang"
            ),
            label=label,
            value=shown(raw),
        )
    if DECIMAL.fullmatch(raw):
        return None, gettext(
            N_(
                "%(label)s tampaknya rusak oleh spreadsheet (angka desimal %(value)s); format kolom sebagai Teks "
                "lalu ketik ulang"
            ),
            label=label,
            value=shown(raw),
        )
    if _GROUPED_DIGITS.fullmatch(raw):
        raw = re.sub(r"\D", "", raw)
    if raw.isascii() and raw.isdigit() and len(raw) == 16:
        if raw.endswith("0000"):
            return None, gettext(MSG_TRAILING_ZEROS, label=label)
        return raw, None
    if raw.isascii() and raw.isdigit() and len(raw) == 15:
        return None, gettext(
            N_(
                "%(label)s hanya 15 digit (%(value)s): satu digit di depan atau di belakang hilang, sering karena "
                "spreadsheet"
            ),
            label=label,
            value=raw,
        )
    return None, gettext(MSG_NOT_DIGITS, label=label, value=shown(raw))


def date_cell(value: object, *, today: date, allow_future: bool = False) -> tuple[date | None, str | None]:
    """A date cell → (date, None) or (None, the problem): a real date, an Excel serial number (45123), dd/mm/yyyy
    (also with - or .), or yyyy-mm-dd."""
    if value is None or value == "":
        return None, None
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_MIN <= value <= SERIAL_MAX and float(value).is_integer():
            day = EXCEL_EPOCH + timedelta(days=int(value))
        else:
            return None, gettext(MSG_DATE_FORMAT, value=shown(value))
    else:
        text = cell_text(value)
        if not text:
            return None, None
        if _SERIAL.fullmatch(text):
            serial = int(re.split(r"[.,]", text)[0])
            if not SERIAL_MIN <= serial <= SERIAL_MAX:
                return None, gettext(MSG_DATE_FORMAT, value=shown(text))
            day = EXCEL_EPOCH + timedelta(days=serial)
        else:
            parts = _DMY.fullmatch(text)
            iso = _YMD.fullmatch(text)
            if parts:
                d, m, y = (int(p) for p in parts.groups())
                if len(parts.group(3)) != 4:
                    return None, gettext(MSG_DATE_FORMAT, value=shown(text))
            elif iso:
                y, m, d = (int(p) for p in iso.groups())
            else:
                return None, gettext(MSG_DATE_FORMAT, value=shown(text))
            try:
                day = date(y, m, d)
            except ValueError:
                return None, gettext(MSG_DATE_IMPOSSIBLE, value=shown(text))
    if day < OLDEST_BIRTH or (not allow_future and day > today):
        return None, gettext(MSG_DATE_RANGE, value=day.strftime("%d/%m/%Y"))
    return day, None


SEXES = {
    "l": Sex.LAKI_LAKI,
    "lk": Sex.LAKI_LAKI,
    "lakilaki": Sex.LAKI_LAKI,
    "laki": Sex.LAKI_LAKI,
    "pria": Sex.LAKI_LAKI,
    "1": Sex.LAKI_LAKI,
    "p": Sex.PEREMPUAN,
    "pr": Sex.PEREMPUAN,
    "perempuan": Sex.PEREMPUAN,
    "wanita": Sex.PEREMPUAN,
    "2": Sex.PEREMPUAN,
}
RELATIONSHIPS = {
    "kepalakeluarga": Relationship.KEPALA,
    "kepala": Relationship.KEPALA,
    "krt": Relationship.KEPALA,
    "kepalarumahtangga": Relationship.KEPALA,
    "kk": Relationship.KEPALA,
    "istri": Relationship.ISTRI,
    "isteri": Relationship.ISTRI,
    "suami": Relationship.SUAMI,
    "anak": Relationship.ANAK,
    "anakkandung": Relationship.ANAK,
    "anaktiri": Relationship.ANAK,
    "anakangkat": Relationship.ANAK,
    "orangtua": Relationship.ORANG_TUA,
    "ayah": Relationship.ORANG_TUA,
    "ibu": Relationship.ORANG_TUA,
    "mertua": Relationship.ORANG_TUA,
    "lainnya": Relationship.LAINNYA,
    "famililain": Relationship.LAINNYA,
    "cucu": Relationship.LAINNYA,
    "menantu": Relationship.LAINNYA,
    "saudara": Relationship.LAINNYA,
}
SCHOOLING = {
    "": Schooling.BELUM,
    "belum": Schooling.BELUM,
    "belumsekolah": Schooling.BELUM,
    "paud": Schooling.PAUD,
    "tk": Schooling.PAUD,
    "sd": Schooling.SD,
    "mi": Schooling.SD,
    "smp": Schooling.SMP,
    "mts": Schooling.SMP,
    "sma": Schooling.SMA,
    "smk": Schooling.SMA,
    "ma": Schooling.SMA,
    "lulus": Schooling.LULUS,
    "tamat": Schooling.LULUS,
    "tidak": Schooling.TIDAK,
    "tidaksekolah": Schooling.TIDAK,
    "putussekolah": Schooling.TIDAK,
}
YES = {"ya", "y", "1", "true", "benar", "v", "x", "ada", "yes"}
NO = {"tidak", "t", "0", "false", "salah", "tdk", "no", "n", "belum", "tidakada"}


def choice_cell(value: object, table: Mapping[str, str], message: str) -> tuple[str | None, str | None]:
    text = cell_text(value)
    found = table.get(header_normal(text))
    if found is None:
        return None, gettext(message, value=shown(text))
    return found, None


def yes_no_cell(value: object) -> tuple[bool | None, str | None]:
    """Ya/Tidak (and the usual spellings) → True/False; empty → None."""
    key = header_normal(cell_text(value))
    if not key:
        return None, None
    if key in YES:
        return True, None
    if key in NO:
        return False, None
    return None, gettext(MSG_YES_NO, value=shown(value))


def desil_cell(value: object) -> tuple[int | None, str | None]:
    text = cell_text(value)
    if not text:
        return None, None
    if _INTEGER.fullmatch(text):
        number = int(re.split(r"[.,]", text)[0])
        if 1 <= number <= 10:
            return number, None
    return None, gettext(MSG_DESIL, value=shown(text))


AREA_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", re.ASCII)


def area_cell(value: object) -> tuple[str | None, str | None]:
    """A kelurahan/desa code, dotted or as its 10 digits."""
    text = "".join(cell_text(value).split()).strip("'")
    if not text:
        return None, None
    if text.isascii() and text.isdigit() and len(text) == 10:
        text = f"{text[0:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    if not AREA_CODE.fullmatch(text):
        return None, gettext(MSG_AREA_FORMAT, value=shown(text))
    return text, None


def text_cell(value: object, *, max_length: int) -> tuple[str, str | None]:
    text = cell_text(value)
    if len(text) > max_length:
        return "", gettext(MSG_TOO_LONG, max=max_length)
    return text, None


@dataclass(slots=True)
class RowData:
    """A member row, its cells turned into values (None where empty or refused)."""

    position: int
    sheet: str
    row_no: int
    kk: str | None
    id_pkh: str
    area: str | None
    address: str
    kelompok: str
    pendamping: str
    enrolled_on: date | None
    desil: int | None
    nik: str | None
    name: str
    birth_date: date | None
    sex: str | None
    relationship: str | None
    pengurus: bool | None
    schooling: str | None
    pregnant: bool | None
    disability: bool | None
    birth_certificate: bool | None


Problems = list[tuple[str, str]]  # (column header, message)
# One string object for the values every member of a family repeats (No. KK, area, kelompok, address): a
# 100,000-row file keeps a quarter of them.
_SHARED: dict[str, str] = {}


def row_parse(
    *, position: int, sheet: str, row_no: int, values: tuple[object, ...], today: date, area_known: set[str]
) -> tuple[RowData, Problems]:
    """One row's cells as values, with a message per column that is wrong (nothing raised)."""
    problems: Problems = []
    cell = dict(zip(COLUMN_KEYS, values, strict=True))

    def note(key: str, message: str | None) -> None:
        if message:
            problems.append((BY_KEY[key].header, message))

    def exists(code: str) -> bool:
        return code in area_known

    kk, msg = number_cell(cell["kk"], label="No. KK")
    note("kk", msg)
    if kk and not exists(f"{kk[0:2]}.{kk[2:4]}.{kk[4:6]}"):
        note(
            "kk",
            gettext(N_("kode wilayah %(code)s di awal No. KK tidak dikenal"), code=f"{kk[0:2]}.{kk[2:4]}.{kk[4:6]}"),
        )
        kk = None
    id_pkh, msg = text_cell(cell["id_pkh"], max_length=64)
    note("id_pkh", msg)
    area, msg = area_cell(cell["area"])
    note("area", msg)
    address, msg = text_cell(cell["address"], max_length=300)
    note("address", msg)
    kelompok, msg = text_cell(cell["kelompok"], max_length=120)
    note("kelompok", msg)
    pendamping, msg = text_cell(cell["pendamping"], max_length=120)
    note("pendamping", msg)
    enrolled_on, msg = date_cell(cell["enrolled_on"], today=today)
    note("enrolled_on", msg)
    desil, msg = desil_cell(cell["desil"])
    note("desil", msg)
    name, msg = text_cell(cell["name"], max_length=120)
    note("name", msg)
    birth_date, msg = date_cell(cell["birth_date"], today=today)
    note("birth_date", msg)
    sex: str | None = None
    if cell_text(cell["sex"]):
        sex, msg = choice_cell(cell["sex"], SEXES, MSG_SEX)
        note("sex", msg)
    relationship: str | None = None
    if cell_text(cell["relationship"]):
        relationship, msg = choice_cell(cell["relationship"], RELATIONSHIPS, MSG_RELATIONSHIP)
        note("relationship", msg)
    schooling: str | None = None
    if cell_text(cell["schooling"]):
        schooling, msg = choice_cell(cell["schooling"], SCHOOLING, MSG_SCHOOLING)
        note("schooling", msg)
    flags = {}
    for key in ("pengurus", "pregnant", "disability", "birth_certificate"):
        flags[key], msg = yes_no_cell(cell[key])
        note(key, msg)
    nik, msg = number_cell(cell["nik"], label="NIK")
    note("nik", msg)
    if nik:
        for message in nik_check(nik, area_exists=exists, sex=sex, birth_date=birth_date):
            note("nik", message)
    for key in REQUIRED_KEYS:
        if not cell_text(cell[key]):
            note(key, gettext(MSG_REQUIRED))
    if flags["pregnant"] and sex == Sex.LAKI_LAKI:
        note("pregnant", gettext(N_("hanya anggota perempuan yang dapat ditandai hamil")))
    shared = _SHARED
    if len(shared) > 200_000:
        shared.clear()
    data = RowData(
        position=position,
        sheet=sheet,
        row_no=row_no,
        kk=shared.setdefault(kk, kk) if kk else kk,
        id_pkh=shared.setdefault(id_pkh, id_pkh) if id_pkh else id_pkh,
        area=shared.setdefault(area, area) if area else area,
        address=shared.setdefault(address, address) if address else address,
        kelompok=shared.setdefault(kelompok, kelompok) if kelompok else kelompok,
        pendamping=shared.setdefault(pendamping, pendamping) if pendamping else pendamping,
        enrolled_on=enrolled_on,
        desil=desil,
        nik=nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        relationship=relationship,
        pengurus=flags["pengurus"],
        schooling=schooling,
        pregnant=flags["pregnant"],
        disability=flags["disability"],
        birth_certificate=flags["birth_certificate"],
    )
    return data, problems


def row_place(row: RowData) -> str:
    """How a message names a row: `baris 12` or `lembar Mawar baris 12`."""
    if row.sheet:
        return gettext(N_("lembar %(sheet)s baris %(row)s"), sheet=row.sheet, row=row.row_no)
    return gettext(N_("baris %(row)s"), row=row.row_no)


def head_name_of(rows: list[RowData]) -> str:
    """The name a family is listed under: its pengurus, else its head, else its first member."""
    for row in rows:
        if row.pengurus:
            return row.name
    for row in rows:
        if row.relationship == Relationship.KEPALA:
            return row.name
    return rows[0].name
