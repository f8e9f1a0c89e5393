"""Administration writes: user accounts and kelompok (create, assign a pendamping); every change audited."""

from sqlmodel import Session, col, delete, select

from app.access import AREA_SCOPED_ROLES, area_within
from app.audit import audit_record, snapshot
from app.auth.security import password_hash
from app.auth.service import user_create
from app.errors import NotFound, RuleViolation
from app.i18n import N_
from app.models import ROLES, Area, Kelompok, LoginSession, Role, User, utcnow

PASSWORD_MIN_LENGTH = 8
KELOMPOK_NAME_MAX = 120
PLACE_MAX = 200


def _area_check(*, session: Session, area_code: str, role: str) -> str | None:
    code = area_code.strip()
    if not code:
        if role in AREA_SCOPED_ROLES:  # they see exactly their area, so without one they would see nothing
            raise RuleViolation(N_("Wilayah wajib diisi untuk peran ini."), field="area_code")
        return None
    if session.get(Area, code) is None:
        raise RuleViolation(N_("Kode wilayah %(code)s tidak dikenal."), field="area_code", code=code)
    return code


def admin_user_create(
    *,
    session: Session,
    actor: User | None,
    username: str,
    full_name: str,
    role: str,
    area_code: str,
    password: str,
) -> User:
    """A new account; the area must be a known Kemendagri code (required for supervisor and peninjau)."""
    if role not in ROLES:
        raise RuleViolation(N_("Peran tidak dikenal."), field="role")
    code = _area_check(session=session, area_code=area_code, role=role)
    return user_create(
        session=session,
        actor=actor,
        username=username,
        full_name=full_name,
        password=password,
        role=role,
        area_code=code,
    )


def _user_get(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("Pengguna tidak ditemukan."))
    return user


def _login_sessions_end(*, session: Session, user_id: int) -> None:
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user_id))


def user_active_set(*, session: Session, actor: User | None, user_id: int, active: bool) -> User:
    """Activate or deactivate an account; a deactivated user is signed out everywhere at once."""
    user = _user_get(session=session, user_id=user_id)
    if not active and actor is not None and actor.id == user.id:
        raise RuleViolation(N_("Anda tidak dapat menonaktifkan akun Anda sendiri."), field="is_active")
    if user.is_active == active:
        return user
    if not active and _kelompok_held(session=session, user_id=user_id):
        raise RuleViolation(
            N_("Pendamping ini masih memegang kelompok: pilih pendamping pengganti lebih dulu."), field="is_active"
        )
    before = {"is_active": user.is_active}
    user.is_active = active
    session.add(user)
    if not active:
        _login_sessions_end(session=session, user_id=user_id)
    audit_record(
        session=session,
        user=actor,
        entity="user",
        entity_id=user_id,
        action="activate" if active else "deactivate",
        before=before,
        after={"is_active": active},
    )
    session.commit()
    return user


def user_password_reset(*, session: Session, actor: User | None, user_id: int, password: str) -> User:
    """Set a new password and sign the user out elsewhere; the audit row records the fact, never the hash."""
    user = _user_get(session=session, user_id=user_id)
    if len(password) < PASSWORD_MIN_LENGTH:
        raise RuleViolation(N_("Kata sandi minimal 8 karakter."), field="password")
    user.password_hash = password_hash(password)
    session.add(user)
    if actor is None or actor.id != user.id:
        _login_sessions_end(session=session, user_id=user_id)
    audit_record(
        session=session,
        user=actor,
        entity="user",
        entity_id=user_id,
        action="password_reset",
        after={"password_reset_at": utcnow().isoformat()},
    )
    session.commit()
    return user


def pendamping_check(*, session: Session, pendamping_id: int | None) -> User | None:
    """The user to assign, who must be an active pendamping; None leaves the kelompok without one."""
    if pendamping_id is None:
        return None
    user = session.get(User, pendamping_id)
    if user is None or user.role != Role.PENDAMPING or not user.is_active:
        raise RuleViolation(N_("Pilih pendamping yang aktif."), field="pendamping_id")
    return user


def kelompok_assign(*, session: Session, actor: User | None, kelompok_id: int, pendamping_id: int | None) -> Kelompok:
    """Hand a kelompok to a pendamping (or to nobody); the old and new assignment go to the audit log."""
    kelompok = session.get(Kelompok, kelompok_id)
    if kelompok is None:
        raise NotFound(N_("Kelompok tidak ditemukan."))
    pendamping_check(session=session, pendamping_id=pendamping_id)
    if kelompok.pendamping_id == pendamping_id:
        return kelompok
    before = snapshot(kelompok)
    kelompok.pendamping_id = pendamping_id
    session.add(kelompok)
    session.flush()
    audit_record(
        session=session,
        user=actor,
        entity="kelompok",
        entity_id=kelompok_id,
        action="assign_pendamping",
        before=before,
        after=snapshot(kelompok),
    )
    session.commit()
    return kelompok


def kelompok_village_check(*, session: Session, actor: User | None, village_code: str) -> str:
    """A kelompok meets in one kelurahan/desa (level 4), inside the administrator's own area if they have one."""
    code = village_code.strip()
    area = session.get(Area, code) if code else None
    if area is None or area.level != 4:
        raise RuleViolation(N_("Pilih kelurahan/desa yang dikenal."), field="village_code")
    if actor is not None and actor.area_code:
        inside = session.exec(
            select(Area.code).where(Area.code == code, area_within(col(Area.code), actor.area_code))
        ).first()
        if inside is None:
            raise RuleViolation(N_("Kelurahan/desa ini di luar wilayah Anda."), field="village_code")
    return code


def kelompok_create(
    *,
    session: Session,
    actor: User | None,
    name: str,
    village_code: str,
    pendamping_id: int | None,
    default_place: str,
) -> Kelompok:
    name = name.strip()
    if not name:
        raise RuleViolation(N_("Nama kelompok wajib diisi."), field="name")
    if len(name) > KELOMPOK_NAME_MAX:
        raise RuleViolation(N_("Terlalu panjang (maksimal %(max)s karakter)."), field="name", max=KELOMPOK_NAME_MAX)
    if len(default_place.strip()) > PLACE_MAX:
        raise RuleViolation(N_("Terlalu panjang (maksimal %(max)s karakter)."), field="default_place", max=PLACE_MAX)
    code = kelompok_village_check(session=session, actor=actor, village_code=village_code)
    pendamping_check(session=session, pendamping_id=pendamping_id)
    kelompok = Kelompok(name=name, village_code=code, pendamping_id=pendamping_id, default_place=default_place.strip())
    session.add(kelompok)
    session.flush()
    audit_record(
        session=session, user=actor, entity="kelompok", entity_id=kelompok.id, action="create", after=snapshot(kelompok)
    )
    session.commit()
    return kelompok


USER_FIELDS = ("full_name", "role", "area_code", "version")


def _kelompok_held(*, session: Session, user_id: int) -> list[Kelompok]:
    """The active kelompok a user is the pendamping of."""
    return list(
        session.exec(
            select(Kelompok)
            .where(col(Kelompok.pendamping_id) == user_id, col(Kelompok.active).is_(True))
            .order_by(col(Kelompok.id))
        ).all()
    )


def _user_locked(*, session: Session, user_id: int) -> User:
    """The user's row, locked until commit: two admins editing it take turns, the second sees the first's change."""
    user = _user_get(session=session, user_id=user_id)
    session.refresh(user, with_for_update=True)
    return user


def user_update(
    *,
    session: Session,
    actor: User,
    user_id: int,
    full_name: str,
    role: str,
    area_code: str,
    version: int,
) -> User:
    """An admin edits a user's name, role and area. The form carries the version it was made from: a stale form
    (another admin saved first) is refused, nothing is overwritten."""
    user = _user_locked(session=session, user_id=user_id)
    if user.version != version:
        raise RuleViolation(
            N_("Pengguna ini baru saja diubah oleh admin lain. Muat ulang halaman lalu ulangi perubahan Anda.")
        )
    name = full_name.strip()
    if not name:
        raise RuleViolation(N_("Wajib diisi."), field="full_name")
    if len(name) > 120:
        raise RuleViolation(N_("Terlalu panjang (maksimal %(max)s karakter)."), field="full_name", max=120)
    if role not in ROLES:
        raise RuleViolation(N_("Peran tidak dikenal."), field="role")
    if actor.id == user.id and role != user.role:
        raise RuleViolation(N_("Anda tidak dapat mengubah peran akun Anda sendiri."), field="role")
    if user.role == Role.PENDAMPING and role != Role.PENDAMPING and _kelompok_held(session=session, user_id=user_id):
        raise RuleViolation(
            N_("Pendamping ini masih memegang kelompok: pindahkan kelompoknya lebih dulu."), field="role"
        )
    code = _area_check(session=session, area_code=area_code, role=role)
    before = _user_snapshot(user)
    user.full_name, user.role, user.area_code = name, role, code
    user.version = user.version + 1
    session.add(user)
    session.flush()
    audit_record(
        session=session,
        user=actor,
        entity="user",
        entity_id=user_id,
        action="update",
        before=before,
        after=_user_snapshot(user),
    )
    session.commit()
    return user


def _user_snapshot(user: User) -> dict[str, object]:
    return {"full_name": user.full_name, "role": user.role, "area_code": user.area_code, "version": user.version}


def successor_check(*, session: Session, actor: User, leaving: User, successor_id: int | None) -> User:
    """The pendamping who takes the kelompok over: active, another person, within the administrator's area."""
    if successor_id is None:
        raise RuleViolation(N_("Pilih pendamping pengganti."), field="successor_id")
    successor = session.get(User, successor_id)
    if successor is None or successor.id == leaving.id or successor.role != Role.PENDAMPING or not successor.is_active:
        raise RuleViolation(N_("Pilih pendamping lain yang aktif."), field="successor_id")
    if (
        actor.area_code
        and successor.area_code
        and not (successor.area_code == actor.area_code or successor.area_code.startswith(actor.area_code + "."))
    ):
        raise RuleViolation(N_("Pendamping ini di luar wilayah Anda."), field="successor_id")
    return successor


def user_deactivate_handover(*, session: Session, actor: User, user_id: int, successor_id: int | None) -> User:
    """Deactivate a pendamping and hand every kelompok they hold to a successor, in one transaction: no kelompok is
    left with a pendamping who cannot sign in. Each reassignment and the deactivation are audited."""
    user = _user_locked(session=session, user_id=user_id)
    if actor.id == user.id:
        raise RuleViolation(N_("Anda tidak dapat menonaktifkan akun Anda sendiri."), field="successor_id")
    held = _kelompok_held(session=session, user_id=user_id)
    successor = successor_check(session=session, actor=actor, leaving=user, successor_id=successor_id) if held else None
    for kelompok in held:
        before = snapshot(kelompok)
        kelompok.pendamping_id = successor.id if successor is not None else None
        session.add(kelompok)
        session.flush()
        audit_record(
            session=session,
            user=actor,
            entity="kelompok",
            entity_id=kelompok.id,
            action="assign_pendamping",
            before=before,
            after=snapshot(kelompok),
        )
    if user.is_active:
        user.is_active = False
        session.add(user)
        _login_sessions_end(session=session, user_id=user_id)
        audit_record(
            session=session,
            user=actor,
            entity="user",
            entity_id=user_id,
            action="deactivate",
            before={"is_active": True},
            after={"is_active": False, "kelompok_to": successor.id if successor else None, "kelompok": len(held)},
        )
    session.commit()
    return user
