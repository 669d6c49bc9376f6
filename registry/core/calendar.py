"""Whole years on the calendar, as the regulations count terms and probation."""

from __future__ import annotations

from datetime import date


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
