"""Month names that Babel does not know: the Dari (Afghan) Solar Hijri calendar."""

from __future__ import annotations

from flask_babel import lazy_pgettext as _p

# Dari (Afghan) Solar Hijri month names, in order from the spring equinox. The context names
# the month's number for translators; the text is the month's name alone, as dates print it.
DARI_MONTHS = (
    _p("Afghan Solar Hijri month 1", "Hamal"),
    _p("Afghan Solar Hijri month 2", "Sawr"),
    _p("Afghan Solar Hijri month 3", "Jawza"),
    _p("Afghan Solar Hijri month 4", "Saratan"),
    _p("Afghan Solar Hijri month 5", "Asad"),
    _p("Afghan Solar Hijri month 6", "Sunbula"),
    _p("Afghan Solar Hijri month 7", "Mizan"),
    _p("Afghan Solar Hijri month 8", "Aqrab"),
    _p("Afghan Solar Hijri month 9", "Qaws"),
    _p("Afghan Solar Hijri month 10", "Jadi"),
    _p("Afghan Solar Hijri month 11", "Dalw"),
    _p("Afghan Solar Hijri month 12", "Hut"),
)


def dari_month(number: int) -> str:
    return str(DARI_MONTHS[number - 1])
