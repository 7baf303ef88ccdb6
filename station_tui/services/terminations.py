"""Termination review (seeds 000 严肃核查终止工单, 002 报装工单终止率低于3%).

* Every terminated application waits for the 站长's review: confirmed, or reopened with a reason (back to the state it
  was terminated from). A reopened application terminated again waits again.
* The month's termination rate: applications whose termination stands and was recorded in the month, over all
  applications finished (connected or terminated) in the month; compared with the profile's threshold.
* A 容缺 application whose customer has not brought a deferred document by the committed date (the one the notice told:
  the end of the site survey's stage where the profile gives it a limit, else the application's due date; see
  services.deferred.collect_by) is proposed for termination with that reason. Only proposed: a person terminates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from station_tui.domain.errors import StationError
from station_tui.services.applications import application_row
from station_tui.services.deferred import deferred_rows
from station_tui.services.operators import authorize_head
from station_tui.services.station import Station
from station_tui.store import payloads as ev
from station_tui.store.catalogue import read

# A terminated application (status terminated, or closed after termination: connected ones close with no reason).
_TERMINATED = "a.status IN ('terminated', 'closed') AND coalesce(a.finish_reason, '') != ''"


@dataclass(frozen=True)
class TerminatedRow:
    application: str
    number: str
    customer_name: str
    reason: str
    terminated_at: str


def awaiting_review(station: Station) -> list[TerminatedRow]:
    """Terminated applications with no review since their (last) termination, oldest first."""
    rows = station.store.rows(
        "SELECT a.uuid, a.number, a.customer_name, a.finish_reason, a.finished_at FROM applications a "
        f"WHERE {_TERMINATED} AND NOT EXISTS (SELECT 1 FROM termination_reviews r "
        "WHERE r.application = a.uuid AND r.outcome = 'confirmed' AND r.reviewed_at >= a.finished_at) "
        "ORDER BY a.finished_at, a.number"
    )
    return [
        TerminatedRow(r["uuid"], r["number"], r["customer_name"], r["finish_reason"], r["finished_at"]) for r in rows
    ]


def _terminated_from(station: Station, application: str) -> str:
    """The status the application had when it was (last) terminated, from that event's start state."""
    events = [e for e in station.store.events(application) if e.type == "application.terminated"]
    state = read(events[-1]).from_state if events else ev.UNKNOWN
    status = state.split("@", 1)[0]
    return status if status in ("open", "paused") else "open"


def review(
    station: Station, application: str, *, head: str, pin: str, reopen: bool = False, reason: str = "",
    at: datetime | None = None,
) -> None:  # fmt: skip
    """The 站长 confirms a termination, or reopens the application with a reason (PIN checked)."""
    authorize_head(station, head, pin)
    record_review(station, application, head=head, reopen=reopen, reason=reason, at=at)


def record_review(
    station: Station, application: str, *, head: str, reopen: bool = False, reason: str = "",
    at: datetime | None = None,
) -> None:  # fmt: skip
    """The review itself, for a 站长 whose PIN was checked once for a sitting (the demo reviews many at one go)."""
    app = application_row(station, application)
    if app["status"] not in ("terminated", "closed") or not (app["finish_reason"] or ""):
        raise StationError(f"申请 {app['number']} 不是终止的申请，无需终止审核")
    if reopen and app["status"] == "closed":
        raise StationError(f"申请 {app['number']} 已归档，只能确认终止，不能退回重办")
    if reopen and not reason.strip():
        raise StationError("退回重办请写明理由")
    payload = ev.TerminationReviewed(
        outcome="reopened" if reopen else "confirmed",
        reason=reason.strip(),
        restored_status=_terminated_from(station, application) if reopen else None,
        from_state=ev.application_state(app["status"], app["current_stage"]),
    )
    station.store.record(payload, application=application, operator=head, simulated_at=at)


@dataclass(frozen=True)
class TerminationRate:
    month: str
    terminated: int
    finished: int
    rate: float | None
    threshold: float | None

    @property
    def over(self) -> bool:
        """At or above the threshold (the seed asks for "below 3%")."""
        return self.rate is not None and self.threshold is not None and self.rate >= self.threshold


def check_month(month: str) -> str:
    """A month as the reports write it (YYYY-MM), or a Chinese one-line refusal."""
    try:
        date.fromisoformat(f"{month}-01")
    except ValueError:
        raise StationError(f"月份“{month}”格式不对，请写成 YYYY-MM（如 2026-11）") from None
    return month


def termination_rate(station: Station, month: str) -> TerminationRate:
    """The month (YYYY-MM) of finishing: standing terminations over connected + terminated applications."""
    check_month(month)
    row = station.store.rows(
        f"SELECT count(*) AS finished, coalesce(sum({_TERMINATED}), 0) AS terminated FROM applications a "
        "WHERE a.finished_at IS NOT NULL AND substr(a.finished_at, 1, 7) = ?",
        (month,),
    )[0]
    finished, terminated = row["finished"], row["terminated"]
    rate = round(terminated / finished, 4) if finished else None
    return TerminationRate(month, terminated, finished, rate, station.profile.termination_rate_max)


@dataclass(frozen=True)
class Proposal:
    application: str
    number: str
    customer_name: str
    committed: str
    missing: list[str]

    @property
    def reason(self) -> str:
        return f"容缺资料（{'、'.join(self.missing)}）未在承诺时间 {self.committed} 前补齐"


def proposed_terminations(station: Station, today: date | None = None) -> list[Proposal]:
    """容缺 applications in progress whose deferred documents are still missing after the committed date: the date the
    notice told (the end of the site survey's stage, or the application's due date; see services.deferred)."""
    late = [row for row in deferred_rows(station, today) if row.overdue]
    return [Proposal(r.application, r.number, r.customer, r.collect_by.isoformat(), r.documents) for r in late]
