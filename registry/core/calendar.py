"""The registry's today, and whole years and months on the calendar, as the regulations count
terms and probation."""

from __future__ import annotations

from datetime import date

# The day `pin_today` fixed, if any; empty: the machine's clock.
_pinned: list[date] = []


def today() -> date:
    """The registry's today: the serving machine's local date, unless `pin_today` fixed it.
    Every rule, default and check that says "today" asks here, so one pinned day holds for all
    of them at once."""
    return _pinned[0] if _pinned else date.today()


def pin_today(day: date | None) -> None:
    """Fix the registry's today at `day` (None: follow the clock again). A test run pins the
    day it began on, so a run that crosses midnight still agrees with itself."""
    _pinned[:] = [] if day is None else [day]


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February); beyond the
    calendar's ends (a term begun in 9999), its last or first day: never reached, never
    passed."""
    year = day.year + years
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    return years_after(day, -years)


def months_after(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier, when negative), the month's last
    day where it is shorter (31 August + 6 months is 28 or 29 February); beyond the
    calendar's ends, its last or first day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def probation_end(joined: date, years: int, extended_months: int | None) -> date:
    """The day a probation begun on `joined` ends: `years` later (党章 第七条: one year),
    moved by a recorded extension."""
    return months_after(years_after(joined, years), extended_months or 0)
