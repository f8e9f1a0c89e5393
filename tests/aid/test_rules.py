"""Gap rules as plain functions: no database."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.aid.rules import (
    AidLimits,
    FamilyAidFacts,
    MemberAidFacts,
    ProgrammeRef,
    birth_range,
    decision_check,
    family_gaps,
    gap_closers,
    gaps_active,
    member_gaps,
)
from app.graduation.rules import age_on
from app.models import AidGap, AidTarget, FamilyStatus, Schooling

TODAY = date(2026, 11, 30)
LIMITS = AidLimits()
CATALOGUE = [
    ProgrammeRef(1, "PBI_JK", "PBI-JK", AidTarget.ANGGOTA, AidGap.JKN, date(2020, 1, 1)),
    ProgrammeRef(2, "PIP", "PIP", AidTarget.ANGGOTA, AidGap.PIP, date(2020, 1, 1)),
    ProgrammeRef(3, "SEMBAKO", "Sembako", AidTarget.KELUARGA, AidGap.SEMBAKO, date(2020, 1, 1)),
    ProgrammeRef(4, "RUTILAHU", "Rutilahu", AidTarget.KELUARGA, AidGap.RUTILAHU, date(2020, 1, 1)),
    ProgrammeRef(5, "KUBE", "KUBE", AidTarget.KELUARGA, None, date(2020, 1, 1)),
]
CLOSERS = gap_closers(CATALOGUE, day=TODAY)


def child(**kw: object) -> MemberAidFacts:
    spec: dict[str, object] = {"id": 2, "name": "Anak", "birth_date": date(2015, 3, 1), "schooling": Schooling.SD}
    return MemberAidFacts(**(spec | kw))  # type: ignore[arg-type]


def gaps_of(member: MemberAidFacts) -> list[str]:
    return member_gaps(member, closers=CLOSERS, today=TODAY, limits=LIMITS)


def test_closers_follow_the_catalogue_and_its_dates() -> None:
    assert {
        AidGap.JKN: frozenset({1}),
        AidGap.PIP: frozenset({2}),
        AidGap.SEMBAKO: frozenset({3}),
        AidGap.RUTILAHU: frozenset({4}),
    } == CLOSERS
    retired = [*CATALOGUE[:1], ProgrammeRef(2, "PIP", "PIP", AidTarget.ANGGOTA, AidGap.PIP, date(2020, 1, 1), TODAY)]
    assert AidGap.PIP in gap_closers(retired, day=TODAY)  # the last day still counts
    assert AidGap.PIP not in gap_closers(retired, day=date(2026, 12, 1))
    future = [ProgrammeRef(9, "X", "X", AidTarget.ANGGOTA, AidGap.JKN, date(2027, 1, 1))]
    assert gap_closers(future, day=TODAY) == {}
    # a gap no programme in force closes is not checked; adminduk (closed by data) always is
    assert gaps_active({}) == (AidGap.ADMINDUK,)
    assert gaps_active(CLOSERS) == (AidGap.PIP, AidGap.JKN, AidGap.SEMBAKO, AidGap.RUTILAHU, AidGap.ADMINDUK)


def test_school_child_without_pip_and_without_jkn() -> None:
    assert gaps_of(child()) == [AidGap.PIP, AidGap.JKN]
    assert gaps_of(child(programmes=frozenset({1, 2}))) == []
    assert gaps_of(child(programmes=frozenset({2}))) == [AidGap.JKN]


def test_pip_only_for_school_age_not_finished() -> None:
    covered = frozenset({1})
    assert gaps_of(child(birth_date=date(2021, 1, 1), programmes=covered)) == []  # five years old
    assert gaps_of(child(birth_date=date(2020, 11, 30), programmes=covered)) == [AidGap.PIP]  # six today
    assert gaps_of(child(birth_date=date(2005, 12, 1), programmes=covered)) == [AidGap.PIP]  # 20
    assert gaps_of(child(birth_date=date(2004, 11, 30), programmes=covered)) == []  # 22 today
    assert gaps_of(child(schooling=Schooling.LULUS, programmes=covered)) == []


def test_adminduk_for_missing_nik_or_a_child_without_birth_certificate() -> None:
    covered = frozenset({1, 2})
    assert gaps_of(child(has_nik=False, programmes=covered)) == [AidGap.ADMINDUK]
    assert gaps_of(child(has_birth_certificate=False, programmes=covered)) == [AidGap.ADMINDUK]
    assert gaps_of(child(has_birth_certificate=None, programmes=covered)) == []  # not known is not a gap
    adult = child(birth_date=date(1980, 1, 1), schooling=Schooling.LULUS, has_birth_certificate=False)
    assert gaps_of(adult) == [AidGap.JKN]


def test_inactive_member_has_no_gap() -> None:
    assert gaps_of(child(active=False, has_nik=False)) == []


def test_family_gaps_sembako_and_rutilahu() -> None:
    family = FamilyAidFacts(id=1, house_livable=False, members=(child(programmes=frozenset({1, 2})),))
    assert [g.gap for g in family_gaps(family, closers=CLOSERS, today=TODAY, limits=LIMITS)] == [
        AidGap.SEMBAKO,
        AidGap.RUTILAHU,
    ]
    served = FamilyAidFacts(id=1, house_livable=False, programmes=frozenset({3, 4}))
    assert family_gaps(served, closers=CLOSERS, today=TODAY, limits=LIMITS) == []
    unknown_house = FamilyAidFacts(id=1, house_livable=None, programmes=frozenset({3}))
    assert family_gaps(unknown_house, closers=CLOSERS, today=TODAY, limits=LIMITS) == []


def test_member_gaps_name_the_member_and_a_family_out_of_pkh_has_none() -> None:
    family = FamilyAidFacts(id=1, programmes=frozenset({3}), members=(child(id=7, name="Rina"),))
    gaps = family_gaps(family, closers=CLOSERS, today=TODAY, limits=LIMITS)
    assert [(g.gap, g.member_id, g.member_name) for g in gaps] == [
        (AidGap.PIP, 7, "Rina"),
        (AidGap.JKN, 7, "Rina"),
    ]
    gone = FamilyAidFacts(id=1, status=FamilyStatus.KELUAR, members=(child(),))
    assert family_gaps(gone, closers=CLOSERS, today=TODAY, limits=LIMITS) == []


def test_decision_dates() -> None:
    assert decision_check(submitted_on=TODAY, decided_on=TODAY, today=TODAY) is None
    assert decision_check(submitted_on=TODAY, decided_on=date(2026, 12, 1), today=TODAY) is not None
    assert decision_check(submitted_on=TODAY, decided_on=date(2026, 11, 29), today=TODAY) is not None


@given(
    birth=st.dates(min_value=date(1940, 1, 1), max_value=date(2026, 11, 30)),
    today=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    low=st.integers(0, 30),
    span=st.integers(0, 30),
)
def test_birth_range_is_the_sql_twin_of_age_on(birth: date, today: date, low: int, span: int) -> None:
    first, last = birth_range(today=today, min_age=low, max_age=low + span)
    assert (first <= birth <= last) == (low <= age_on(birth, today) <= low + span)
