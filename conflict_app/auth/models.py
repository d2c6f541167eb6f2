"""Staff accounts. Herders have no account: they use a claim reference and PIN."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.core.types import UTCDateTime, enum_column
from conflict_app.extensions import db


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))


class RoleGrant(db.Model):
    """One role given to an account: applied at once, or (a role that decides or pays money,
    or administers) waiting until a second administrator confirms or refuses it."""

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    # "pending", "granted" (needed no confirmation), "confirmed" or "refused"
    state: Mapped[str] = mapped_column(String(12), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # A daily digest of unread notices: "none", "email" or "sms" (to ``phone``, E.164).
    digest: Mapped[str] = mapped_column(String(8), default="none")
    phone: Mapped[str | None] = mapped_column(String(20))
    # Jurisdiction: no country = the whole range (admins); a country; or one of its areas.
    jurisdiction_country: Mapped[str | None] = mapped_column(ForeignKey("country.code"))
    jurisdiction_area_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Time-based one-time passwords (RFC 6238); required for roles that move money.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The newest 30-second step whose code was accepted: a code is good once (RFC 6238 §5.2).
    totp_last_step: Mapped[int | None] = mapped_column()

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    jurisdiction_area = relationship("AdminArea", lazy="joined")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.role_rows)

    def set_roles(self, roles: set[Role]) -> None:
        keep = [r for r in self.role_rows if r.role in roles]
        have = {r.role for r in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(roles - have)]

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def jurisdiction_level(self) -> int | None:
        return self.jurisdiction_area.level if self.jurisdiction_area else None

    @property
    def jurisdiction_label(self) -> str:
        if self.jurisdiction_country is None:
            return "*"
        if self.jurisdiction_area is None:
            return self.jurisdiction_country
        return f"{self.jurisdiction_country} / {self.jurisdiction_area.label}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def needs_two_factor(self) -> bool:
        return self.has_role(Role.APPROVER, Role.FINANCE, Role.ADMIN)

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret and self.totp_confirmed_at)

    def set_password(self, password: str, method: str | None = None) -> None:
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def users_with_role(role: Role):  # noqa: ANN201 - a Select
    return select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))
