"""Household phones in E.164, read with the rules of the household's country.

``093 123456`` and ``+374 93 123456`` were stored as two different numbers, so one herder
became two households. Numbers that do not parse as a valid number of the country are left
as they are for a clerk to correct.

Revision ID: 0006_phones_e164
Revises: 0005_token_scopes
"""
import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = "0006_phones_e164"
down_revision = "0005_token_scopes"
branch_labels = None
depends_on = None


def _e164(phone, country):
    raw = "".join(str(int(ch)) if ch.isdecimal() else ch for ch in phone).strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def upgrade():
    conn = op.get_bind()
    household = sa.table("household", sa.column("id", sa.Integer),
                         sa.column("phone", sa.String), sa.column("country_code", sa.String))
    rows = conn.execute(sa.select(household.c.id, household.c.phone, household.c.country_code)
                        .where(household.c.phone.is_not(None))).all()
    for row_id, phone, country in rows:
        value = _e164(phone, country)
        if value and value != phone:
            conn.execute(household.update().where(household.c.id == row_id)
                         .values(phone=value))


def downgrade():
    # The numbers stay in E.164: the national spelling each was typed in is not kept.
    pass
