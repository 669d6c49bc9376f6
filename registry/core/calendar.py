"""The registry's today, and whole years and months on the calendar, as the regulations count
terms and probation."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

# The day `pin_today` fixed, if any; empty: the clock's.
_pinned: list[date] = []
# The zone whose days the registry counts (`count_days_in`); empty: the machine's own.
_zone: list[tzinfo] = []


def today() -> date:
    """The registry's today: the date in its zone (the machine's, unless `count_days_in` named
    one), unless `pin_today` fixed it. Every rule, default and check that says "today" asks
    here, so one pinned day holds for all of them at once."""
    if _pinned:
        return _pinned[0]
    return datetime.now(_zone[0]).date() if _zone else date.today()


def day_of(moment: datetime) -> date:
    """The day `moment` (aware) fell on in the registry's zone."""
    return moment.astimezone(_zone[0] if _zone else None).date()


def pin_today(day: date | None) -> None:
    """Fix the registry's today at `day` (None: follow the clock again). A test run pins the
    day it began on, so a run that crosses midnight still agrees with itself."""
    _pinned[:] = [] if day is None else [day]


def count_days_in(zone: tzinfo | None) -> None:
    """Count days in `zone` (None: the machine's own): a server kept in UTC still turns the
    day at the organisers' midnight."""
    _zone[:] = [] if zone is None else [zone]


def follow(zone: tzinfo | None, day: date | None) -> None:
    """Count days as a process's settings say (GRIDREG_TIMEZONE), and hold the day at `day`
    when one is given (GRIDREG_TODAY)."""
    count_days_in(zone)
    if day is not None:
        pin_today(day)


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
