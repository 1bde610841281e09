"""When to write to someone: check-in due times from course dates, quiet hours, local days.

Pure functions on aware datetimes (no database), so tests pass their own "now".

>>> from datetime import date, datetime, UTC
>>> due = stage_due(date(2027, 3, 1), date(2027, 3, 5), "week_before", "Europe/Copenhagen")
>>> due.isoformat()
'2027-02-22T09:00:00+00:00'
>>> outside_quiet_hours(datetime(2027, 1, 4, 22, 30, tzinfo=UTC), "Europe/Copenhagen", 20, 8)
datetime.datetime(2027, 1, 5, 7, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.knowledge.records import Stage

__all__ = [
    "LOCAL_SEND_TIME",
    "REMIND_AFTER",
    "STAGES",
    "STOP_AFTER",
    "in_quiet_hours",
    "local_day_start",
    "outside_quiet_hours",
    "stage_due",
    "stage_plan",
]

#: The hour of the local day a check-in is written (well inside working hours).
LOCAL_SEND_TIME = time(10, 0)
#: A check-in not answered this long after it was sent gets one reminder …
REMIND_AFTER = timedelta(days=3)
#: … and this long after the reminder the bot stops asking.
STOP_AFTER = timedelta(days=4)
#: The stages, in order.
STAGES: tuple[Stage, ...] = ("week_before", "weeks_after_2", "months_after_3")


def stage_plan(stage: Stage) -> str:
    """The built-in plan a stage asks: expectations before, transfer after."""
    return "before-course" if stage == "week_before" else "after-course"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    # The last day of the month when the day does not exist (31 January + 1 month).
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def stage_due(starts_on: date, ends_on: date, stage: Stage, time_zone: str) -> datetime:
    """When a stage's check-in is due: 10:00 local time on 1 week before the start, 2 weeks
    after the end, or 3 months after the end."""
    if stage == "week_before":
        day = starts_on - timedelta(days=7)
    elif stage == "weeks_after_2":
        day = ends_on + timedelta(days=14)
    else:
        day = _add_months(ends_on, 3)
    local = datetime.combine(day, LOCAL_SEND_TIME, tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


def in_quiet_hours(moment: datetime, time_zone: str, quiet_from: int, quiet_to: int) -> bool:
    """Whether ``moment`` falls in the person's quiet hours (local; e.g. 20–8 spans midnight;
    equal hours mean no quiet hours). Saturdays and Sundays are quiet all day."""
    local = moment.astimezone(ZoneInfo(time_zone))
    if local.weekday() >= 5:
        return True
    hour = local.hour
    if quiet_from == quiet_to:
        return False
    if quiet_from < quiet_to:
        return quiet_from <= hour < quiet_to
    return hour >= quiet_from or hour < quiet_to


def outside_quiet_hours(
    moment: datetime, time_zone: str, quiet_from: int, quiet_to: int
) -> datetime:
    """``moment``, or the first whole hour after it that is not quiet (UTC)."""
    if not in_quiet_hours(moment, time_zone, quiet_from, quiet_to):
        return moment.astimezone(UTC)
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    for _ in range(24 * 8):
        local = (local + timedelta(hours=1)).astimezone(zone)
        local = datetime.combine(local.date(), time(local.hour), tzinfo=zone)
        if not in_quiet_hours(local, time_zone, quiet_from, quiet_to):
            return local.astimezone(UTC)
    return moment.astimezone(UTC)  # pragma: no cover - quiet all week cannot be set


def local_day_start(moment: datetime, time_zone: str) -> datetime:
    """Midnight of ``moment``'s local day, in UTC (a digest goes once per local day)."""
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)
