"""When the station exports: a recurrence rule (python-dateutil's rrule), optionally on working days only, and the
outbox folder. Both are settings, changed through `services.station.change_settings` (a `settings.changed` event).

**default**: every day at 22:00. An export is due when a scheduled time has passed since the last successful export
(or, before the first one, since the station was set up): the app then exports at once and tells the clerk.
Times are local (China Standard Time, no daylight saving), so the rule is kept in naive local time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rrulestr

from station_tui.domain.errors import StationError
from station_tui.domain.timeutil import CHINA_TZ, from_iso
from station_tui.services import field
from station_tui.services.export import OUTBOX_SETTING, last_export_time
from station_tui.services.station import Station, change_settings

RULE_SETTING = "export_rule"
WORKDAYS_SETTING = "export_workdays_only"
# The rule's DTSTART only anchors weekly or monthly rules; it is early enough for any station.
ANCHOR = "20260101T000000"
DEFAULT_RULE = f"DTSTART:{ANCHOR}\nRRULE:FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0"
# A rule more frequent than daily would make the station export all day long; the county loads once a day.
ALLOWED_FREQUENCIES = {DAILY: "每天", WEEKLY: "每周", MONTHLY: "每月"}
# A working-days-only schedule skips holidays: the longest (Spring Festival with its weekends) is well under this.
MAX_SKIPPED = 60
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


class ScheduleError(StationError):
    pass


@dataclass(frozen=True)
class Schedule:
    rule: str
    workdays_only: bool
    outbox: Path | None

    def describe(self) -> str:
        return describe_rule(self.rule) + ("（仅工作日）" if self.workdays_only else "")


@dataclass(frozen=True)
class DueState:
    due: bool
    last_export: datetime | None
    scheduled: datetime | None  # the latest scheduled time not later than now
    next_run: datetime | None
    schedule: Schedule
    # A customer manager's laptop (a database `field open` made): no scheduled export there, ever.
    laptop: bool = False


def parse_rule(text: str) -> rrule:
    try:
        rule = rrulestr(text)
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"导出周期规则无法识别：{exc}") from exc
    if not isinstance(rule, rrule) or rule._freq not in ALLOWED_FREQUENCIES:  # noqa: SLF001 - dateutil keeps it private
        raise ScheduleError("导出周期应为每天、每周或每月（一天可以有几个时间）")
    if rule._dtstart.tzinfo is not None:  # noqa: SLF001
        raise ScheduleError("导出周期规则请用本地时间（不带时区）")
    return rule


def daily_rule(times: str) -> str:
    """A daily rule from "22:00" or several times "12:00,22:00" (as the clerk types them)."""
    hours, minutes = set(), set()
    for part in re.split(r"[,，、\s]+", times.strip()):
        match = _TIME.match(part)
        if not match:
            raise ScheduleError(f"时间“{part}”不对：请写成 22:00，几个时间用逗号隔开")
        hours.add(int(match.group(1)))
        minutes.add(int(match.group(2)))
    if len(minutes) > 1 and len(hours) > 1:
        raise ScheduleError("几个时间的分钟数须相同（例如 12:00,22:00）")
    byhour = ",".join(str(h) for h in sorted(hours))
    byminute = ",".join(str(m) for m in sorted(minutes))
    return f"DTSTART:{ANCHOR}\nRRULE:FREQ=DAILY;BYHOUR={byhour};BYMINUTE={byminute};BYSECOND=0"


def rule_times(text: str) -> str:
    """The times of day of a rule, as the settings form shows them ("22:00")."""
    rule = parse_rule(text)
    return ",".join(f"{h:02d}:{m:02d}" for h in sorted(rule._byhour or [0]) for m in sorted(rule._byminute or [0]))  # noqa: SLF001


def describe_rule(text: str) -> str:
    rule = parse_rule(text)
    words = ALLOWED_FREQUENCIES[rule._freq]  # noqa: SLF001
    if rule._interval > 1:  # noqa: SLF001
        words = f"每 {rule._interval} {words[1:]}"  # noqa: SLF001
    if rule._freq == WEEKLY and rule._byweekday:  # noqa: SLF001
        words += "星期" + "、".join("一二三四五六日"[d] for d in sorted(rule._byweekday))  # noqa: SLF001
    return f"{words} {rule_times(text)}"


def current_schedule(station: Station) -> Schedule:
    store = station.store
    outbox = store.setting(OUTBOX_SETTING)
    return Schedule(
        store.setting(RULE_SETTING, DEFAULT_RULE),
        bool(store.setting(WORKDAYS_SETTING, False)),
        Path(outbox) if outbox else None,
    )


def change_schedule(
    station: Station,
    *,
    operator: str,
    rule: str | None = None,
    workdays_only: bool | None = None,
    outbox: str | Path | None = None,
) -> Schedule:
    """Check, then store what changed as one settings event. The outbox need not exist now (a USB stick)."""
    changes: dict = {}
    if rule is not None:
        parse_rule(rule)
        changes[RULE_SETTING] = rule
    if workdays_only is not None:
        changes[WORKDAYS_SETTING] = bool(workdays_only)
    if outbox is not None:
        text = str(outbox).strip()
        if not text:
            raise ScheduleError("请填写导出文件夹")
        if not Path(text).is_absolute():
            raise ScheduleError("导出文件夹请写完整路径（如 E:\\导出 或 /media/usb/导出）")
        changes[OUTBOX_SETTING] = text
    if changes:
        change_settings(station, changes, operator=operator)
    return current_schedule(station)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(CHINA_TZ).replace(tzinfo=None)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=CHINA_TZ) if moment is not None else None


def _runs_on(station: Station, schedule: Schedule, moment: datetime) -> bool:
    return not schedule.workdays_only or station.calendar.is_workday(moment.date())


def next_run(station: Station, after: datetime, schedule: Schedule | None = None) -> datetime | None:
    schedule = schedule or current_schedule(station)
    rule = parse_rule(schedule.rule)
    moment = _local(after)
    for _ in range(MAX_SKIPPED):
        moment = rule.after(moment)
        if moment is None or _runs_on(station, schedule, moment):
            return _aware(moment)
    return None


def previous_run(station: Station, now: datetime, schedule: Schedule | None = None) -> datetime | None:
    """The latest scheduled time not later than `now`."""
    schedule = schedule or current_schedule(station)
    rule = parse_rule(schedule.rule)
    moment = _local(now)
    inclusive = True
    for _ in range(MAX_SKIPPED):
        moment = rule.before(moment, inc=inclusive)
        inclusive = False
        if moment is None or _runs_on(station, schedule, moment):
            return _aware(moment)
    return None


def _station_since(station: Station) -> datetime | None:
    first = station.store.one("SELECT recorded_at FROM events WHERE type = 'station.initialized' ORDER BY seq LIMIT 1")
    return from_iso(first) if first else None


def export_due(station: Station, now: datetime | None = None) -> DueState:
    """Whether a scheduled export was missed: a scheduled time passed since the last successful export."""
    now = now or station.store.clock()
    schedule = current_schedule(station)
    if field.is_laptop(station):
        # A laptop is not the station: what it records reaches the county in the station's export, after checkin;
        # exporting here too would send the county a second, partial copy from a device it does not know.
        return DueState(False, None, None, None, schedule, laptop=True)
    last = last_export_time(station)
    scheduled = previous_run(station, now, schedule)
    since = last or _station_since(station)
    due = station.initialized and scheduled is not None and (since is None or since < scheduled)
    return DueState(bool(due), last, scheduled, next_run(station, now, schedule), schedule)
