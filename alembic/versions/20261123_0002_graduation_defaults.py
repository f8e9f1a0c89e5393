"""graduation defaults: indicator catalogue, rule parameters, poverty lines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EFFECTIVE = date(2020, 1, 1)
SEEDED_AT = datetime(2026, 11, 23, tzinfo=UTC)

area = sa.table(
    "area",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("level", sa.Integer),
    sa.column("parent_code", sa.String),
)
indicator = sa.table(
    "indicator",
    sa.column("code", sa.String),
    sa.column("domain", sa.String),
    sa.column("label", sa.String),
    sa.column("value_type", sa.String),
    sa.column("target", sa.Float),
    sa.column("position", sa.Integer),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
rule_parameter = sa.table(
    "ruleparameter",
    sa.column("key", sa.String),
    sa.column("value", sa.String),
    sa.column("effective_from", sa.Date),
    sa.column("note", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
poverty_line = sa.table(
    "povertyline",
    sa.column("area_code", sa.String),
    sa.column("kind", sa.String),
    sa.column("year", sa.Integer),
    sa.column("amount", sa.Integer),
    sa.column("source", sa.String),
)

# Default behaviour-change indicators per module (p2k2.md, section B); (code, domain, label, type, target).
INDICATORS = [
    ("asuh_sekolah", "PENGASUHAN", "Setiap anak usia sekolah terdaftar di sekolah", "bool", None),
    ("asuh_kehadiran_sekolah", "PENGASUHAN", "Kehadiran sekolah anak (%)", "number", 85.0),
    ("asuh_bantu_belajar", "PENGASUHAN", "Orang tua membantu anak belajar", "bool", None),
    ("asuh_disiplin_positif", "PENGASUHAN", "Disiplin positif (tanpa hukuman fisik)", "bool", None),
    ("asuh_paud", "PENGASUHAN", "Anak usia dini ikut PAUD", "bool", None),
    ("eko_catat_keuangan", "EKONOMI", "Mencatat pemasukan dan pengeluaran", "bool", None),
    ("eko_tabungan", "EKONOMI", "Memiliki tabungan", "bool", None),
    ("eko_anggaran", "EKONOMI", "Membuat anggaran bulanan", "bool", None),
    ("eko_tanpa_rentenir", "EKONOMI", "Tidak meminjam ke rentenir", "bool", None),
    ("eko_usaha", "EKONOMI", "Menjalankan atau merencanakan usaha", "bool", None),
    ("eko_sumber_penghasilan", "EKONOMI", "Lebih dari satu sumber penghasilan", "bool", None),
    ("sehat_k6", "KESEHATAN", "Ibu hamil memeriksakan kehamilan minimal 6 kali (K6)", "bool", None),
    ("sehat_timbang_balita", "KESEHATAN", "Balita ditimbang setiap bulan di posyandu", "bool", None),
    ("sehat_imunisasi", "KESEHATAN", "Imunisasi dasar lengkap", "bool", None),
    ("sehat_asi_eksklusif", "KESEHATAN", "ASI eksklusif sampai 6 bulan", "bool", None),
    ("sehat_cuci_tangan", "KESEHATAN", "Cuci tangan pakai sabun", "bool", None),
    ("sehat_jamban", "KESEHATAN", "Jamban sehat", "bool", None),
    ("sehat_air_minum", "KESEHATAN", "Air minum aman", "bool", None),
    ("lindung_akta_lahir", "PERLINDUNGAN", "Setiap anak memiliki akta kelahiran", "bool", None),
    ("lindung_pekerja_anak", "PERLINDUNGAN", "Tidak ada pekerja anak", "bool", None),
    ("lindung_perkawinan_anak", "PERLINDUNGAN", "Tidak ada perkawinan anak", "bool", None),
    ("lindung_lapor_kekerasan", "PERLINDUNGAN", "Orang tua tahu tempat melapor kekerasan", "bool", None),
    ("kesos_disabilitas", "KESOS", "Anggota disabilitas berat menerima layanan atau bantuan", "bool", None),
    ("kesos_posyandu_lansia", "KESOS", "Anggota lanjut usia datang ke posyandu lansia", "bool", None),
]

# Every threshold of the readiness rules, in force from 2020 until an administrator adds a newer value.
RULE_PARAMETERS = [
    ("attendance_min_share", "0.85", "Kehadiran P2K2 minimal 85 %"),
    ("attendance_window_months", "12", "Kehadiran dihitung atas 12 bulan terakhir"),
    ("score_min_share", "0.80", "Skor perubahan perilaku minimal 80 %"),
    ("poverty_multiplier", "1.5", "Per kapita minimal 1,5 × garis kemiskinan"),
    ("desil_min", "5", "Desil DTSEN minimal 5 (di atas desil sasaran 1–4)"),
    ("household_income_min", "4000000", "Penghasilan rumah tangga minimal Rp 4 juta/bulan"),
    ("assets_min", "3", "Minimal 3 dari 5 tanda kesejahteraan"),
    ("alpa_streak_warning", "3", "Peringatan setelah 3 kali alpa berturut-turut"),
    ("meeting_gap_days", "45", "Peringatan bila kelompok tidak bertemu 45 hari"),
    ("years_in_pkh_warning", "5", "Peringatan setelah 5 tahun di PKH"),
    ("early_childhood_max_age", "6", "Anak usia dini sampai umur 6"),
    ("school_min_age", "6", "Anak sekolah mulai umur 6"),
    ("school_max_age", "21", "Anak sekolah sampai umur 21"),
    ("elderly_min_age", "70", "Lanjut usia mulai umur 70"),
    ("monitoring_months", "12", "Pemantauan setelah graduasi selama 12 bulan"),
    ("yearly_target", "10", "Target graduasi per pendamping per tahun"),
]

POVERTY_LINES = [
    (None, "urban", 2025, 629561, "BPS Maret 2025, nasional perkotaan"),
    (None, "rural", 2025, 580349, "BPS Maret 2025, nasional perdesaan"),
    ("32", "area", 2024, 524052, "BPS Maret 2024, garis kemiskinan provinsi Jawa Barat"),
]


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.select(area.c.code).where(area.c.code == "32")).first() is None:
        op.bulk_insert(area, [{"code": "32", "name": "Jawa Barat", "level": 1, "parent_code": None}])
    op.bulk_insert(
        indicator,
        [
            {
                "code": code,
                "domain": domain,
                "label": label,
                "value_type": kind,
                "target": target,
                "position": position,
                "active": True,
                "created_at": SEEDED_AT,
            }
            for position, (code, domain, label, kind, target) in enumerate(INDICATORS, start=1)
        ],
    )
    op.bulk_insert(
        rule_parameter,
        [
            {"key": key, "value": value, "effective_from": EFFECTIVE, "note": note, "created_at": SEEDED_AT}
            for key, value, note in RULE_PARAMETERS
        ],
    )
    op.bulk_insert(
        poverty_line,
        [
            {"area_code": code, "kind": kind, "year": year, "amount": amount, "source": source}
            for code, kind, year, amount, source in POVERTY_LINES
        ],
    )


def downgrade() -> None:
    op.execute(poverty_line.delete().where(poverty_line.c.source.in_([row[4] for row in POVERTY_LINES])))
    op.execute(rule_parameter.delete().where(rule_parameter.c.effective_from == EFFECTIVE))
    op.execute(indicator.delete().where(indicator.c.code.in_([row[0] for row in INDICATORS])))
