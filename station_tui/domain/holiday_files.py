"""One year's official holiday schedule, and the CSV file it travels in.

The file (imported by ``station-tui holidays import``, written by ``holidays export``, shipped in ``data/holidays/YYYY.csv``)
has the header ``日期,类型,名称`` and one row per day: ``2027-10-01,休,国庆节`` for a holiday, ``2027-09-26,班,国庆节`` for a
make-up workday (调休上班日). UTF-8 with or without BOM, or GBK. A 休 day may fall on a weekend (it is part of the festival's
range); a 班 day must be a Saturday or Sunday, since a Monday–Friday is a working day anyway.

A bad file is refused whole: the error lists every problem with its line number, and nothing is taken from the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from station_tui.domain.errors import ConfigError

HEADER = ("日期", "类型", "名称")
HOLIDAY = "休"
MAKEUP = "班"
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
MAX_FESTIVAL_DAYS = 15

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class YearSchedule:
    """The State Council's schedule for one year: its holidays and its make-up workdays, each with its festival's name."""

    year: int
    holidays: dict[date, str] = field(default_factory=dict)
    makeup_workdays: dict[date, str] = field(default_factory=dict)

    def festivals(self) -> list[str]:
        """Festival names in the order of their first day."""
        seen: dict[str, date] = {}
        for day, name in sorted({**self.holidays, **self.makeup_workdays}.items()):
            seen.setdefault(name, day)
        return sorted(seen, key=seen.__getitem__)


@dataclass(frozen=True)
class Problem:
    """One reason a file or an entry is refused: ``where`` is "第3行" or a festival's name, ``line`` its line if any."""

    where: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}" if self.where else self.reason


class HolidayFileError(ConfigError):
    """A holiday file or an entered schedule is refused whole; the message lists every problem."""

    def __init__(self, origin: str, problems: Sequence[Problem]) -> None:
        self.origin = origin
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"节假日安排“{origin}”有误，未采用（共 {len(self.problems)} 处）：\n{lines}")


def _describe(day: date) -> str:
    return f"{day.isoformat()}（{WEEKDAY_NAMES[day.weekday()]}）"


def parse_date(text: str) -> date | None:
    """2027-10-01, 2027/10/1 (as spreadsheets save it), 2027.10.01 or 2027年10月1日; None when it is none of these."""
    match = _DATE_RE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def decode_holiday_bytes(data: bytes) -> str | None:
    """UTF-8 (BOM or not), else GBK (read as GB18030, its superset); None when it is neither."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _main_year(days: Iterable[date]) -> int | None:
    counts = Counter(day.year for day in days)
    if not counts:
        return None
    best = max(counts.values())
    return min(year for year, count in counts.items() if count == best)


def parse_holiday_csv(data: bytes, origin: str) -> YearSchedule:
    """Read a holiday file; raise HolidayFileError listing every problem (with line numbers) when any is found."""
    text = decode_holiday_bytes(data)
    if text is None:
        raise HolidayFileError(origin, [Problem("", "无法识别的文字编码（应为 UTF-8 或 GBK）")])
    if not text.strip():
        raise HolidayFileError(origin, [Problem("", "文件是空的")])

    problems: list[Problem] = []
    rows: list[tuple[int, date, str, str]] = []
    seen: dict[date, int] = {}
    header_seen = False
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        for raw in reader:
            first_line = line + 1
            line = reader.line_num
            cells = [cell.strip() for cell in raw]
            if not any(cells):
                continue
            where = f"第{first_line}行"
            if not header_seen:
                header_seen = True
                if tuple(cells) != HEADER:
                    problems.append(
                        Problem(where, f"表头应为“{','.join(HEADER)}”，实际为“{','.join(raw)}”", first_line)
                    )
                continue
            problems_before = len(problems)
            if len(cells) > 3 and any(cells[3:]):
                problems.append(Problem(where, f"应为 3 列（日期,类型,名称），实际有 {len(cells)} 列", first_line))
            text_date = cells[0] if cells else ""
            kind = cells[1] if len(cells) > 1 else ""
            name = cells[2] if len(cells) > 2 else ""
            day = parse_date(text_date)
            if day is None:
                problems.append(Problem(where, f"无法识别的日期“{text_date}”（应写作 2027-10-01）", first_line))
            if kind not in (HOLIDAY, MAKEUP):
                shown = f"“{kind}”" if kind else "（空）"
                problems.append(Problem(where, f"未知类型{shown}，应为“休”或“班”", first_line))
            if not name:
                problems.append(Problem(where, "缺少节日名称", first_line))
            if day is not None:
                if day in seen:
                    problems.append(Problem(where, f"日期 {day.isoformat()} 重复（第{seen[day]}行已列出）", first_line))
                else:
                    seen[day] = first_line
                if kind == MAKEUP and day.weekday() < 5:
                    problems.append(
                        Problem(where, f"{_describe(day)} 本来就是工作日，不能列为调休上班日（班）", first_line)
                    )
            if len(problems) == problems_before and day is not None:
                rows.append((first_line, day, kind, name))
    except csv.Error as exc:
        problems.append(Problem(f"第{line + 1}行", f"无法读取的 CSV 内容（{exc}）", line + 1))

    if header_seen and not seen and not problems:
        problems.append(Problem("", "文件中没有任何日期行"))
    year = _main_year(seen)
    if year is not None:
        for day, first_line in sorted(seen.items(), key=lambda item: item[1]):
            if day.year != year:
                problems.append(
                    Problem(
                        f"第{first_line}行",
                        f"日期 {day.isoformat()} 不属于 {year} 年（一个文件只能是同一年的安排）",
                        first_line,
                    )
                )
    if problems:
        problems.sort(key=lambda p: (p.line is not None, p.line or 0))
        raise HolidayFileError(origin, problems)
    assert year is not None
    holidays = {day: name for _, day, kind, name in rows if kind == HOLIDAY}
    makeup = {day: name for _, day, kind, name in rows if kind == MAKEUP}
    return YearSchedule(year, dict(sorted(holidays.items())), dict(sorted(makeup.items())))


def format_holiday_csv(schedule: YearSchedule) -> str:
    """The schedule as a holiday file (header, then one row per day in date order); parse_holiday_csv reads it back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    rows = [(day, HOLIDAY, name) for day, name in schedule.holidays.items()]
    rows += [(day, MAKEUP, name) for day, name in schedule.makeup_workdays.items()]
    for day, kind, name in sorted(rows):
        writer.writerow((day.isoformat(), kind, name))
    return out.getvalue()


Festival = tuple[str, date, date, Sequence[date]]


def schedule_from_festivals(year: int, festivals: Sequence[Festival]) -> YearSchedule:
    """A year entered the way the notice is written: per festival its name, first and last holiday, make-up workdays.

    The same checks as a file, each problem named by the festival (第N项 and its name) instead of a line.
    """
    origin = f"{year} 年节假日安排"
    problems: list[Problem] = []
    holidays: dict[date, str] = {}
    makeup: dict[date, str] = {}
    owner: dict[date, str] = {}
    if not festivals:
        problems.append(Problem("", "没有录入任何节日"))
    for index, (raw_name, first, last, makeup_days) in enumerate(festivals, start=1):
        name = (raw_name or "").strip()
        where = f"第{index}项（{name}）" if name else f"第{index}项"
        if not name:
            problems.append(Problem(where, "缺少节日名称"))
        if first > last:
            problems.append(Problem(where, f"放假首日 {first.isoformat()} 晚于末日 {last.isoformat()}"))
            continue
        span = (last - first).days + 1
        if span > MAX_FESTIVAL_DAYS:
            problems.append(Problem(where, f"放假 {span} 天，超过 {MAX_FESTIVAL_DAYS} 天，请核对日期"))
            continue
        days = [(first + timedelta(days=i), HOLIDAY) for i in range(span)]
        days += [(day, MAKEUP) for day in makeup_days]
        for day, kind in days:
            if day.year != year:
                problems.append(Problem(where, f"日期 {day.isoformat()} 不属于 {year} 年"))
                continue
            if day in owner:
                problems.append(Problem(where, f"日期 {day.isoformat()} 重复（{owner[day]}已列出）"))
                continue
            owner[day] = where
            if kind == MAKEUP:
                if day.weekday() < 5:
                    problems.append(Problem(where, f"{_describe(day)} 本来就是工作日，不能列为调休上班日"))
                    continue
                makeup[day] = name
            else:
                holidays[day] = name
    if problems:
        raise HolidayFileError(origin, problems)
    return YearSchedule(year, dict(sorted(holidays.items())), dict(sorted(makeup.items())))
