"""Tajikistan and Uzbekistan read their own languages: countries created while only Russian
was offered for them default to Tajik and Uzbek, so their new households, letters and
texts come in their language (a household's own choice is left alone).

Revision ID: 0027_country_languages
Revises: 0026_local_place_names
Create Date: 2026-12-05 20:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0027_country_languages'
down_revision = '0026_local_place_names'
branch_labels = None
depends_on = None

LANGUAGES = {'TJ': 'tg', 'UZ': 'uz'}


def upgrade():
    country = sa.table('country', sa.column('code', sa.String),
                       sa.column('default_locale', sa.String))
    for code, locale in LANGUAGES.items():
        op.execute(sa.update(country).where(country.c.code == code,
                                            country.c.default_locale == 'ru')
                   .values(default_locale=locale))


def downgrade():
    # The earlier default is not restored: Russian was a stand-in, not a choice.
    pass
