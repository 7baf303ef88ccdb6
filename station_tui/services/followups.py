"""Follow-up calls (回访, seed 000 四(四)1: 小微企业电话回访全覆盖).

Every connected 小微 application waits for a call that reaches the customer, oldest connection first; a call that
did not get through leaves it waiting. A call records what the customer said: extra documents asked of them, a fee
asked, a second visit needed, and a complaint (which needs a follow-up written down).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from station_tui.domain.errors import StationError
from station_tui.services.applications import application_row
from station_tui.services.station import Station
from station_tui.services.terminations import check_month
from station_tui.store import payloads as ev

# Connected (or archived after connection: a terminated one closes with its reason) small/micro applications.
_CONNECTED_SMALL_MICRO = (
    "a.small_micro = 1 AND a.status IN ('connected', 'closed') AND coalesce(a.finish_reason, '') = ''"
)
_REACHED = "EXISTS (SELECT 1 FROM followup_calls c WHERE c.application = a.uuid AND c.reached = 1)"


@dataclass(frozen=True)
class WaitingCall:
    application: str
    number: str
    customer_name: str
    phone: str
    connected_at: str
    attempts: int


def awaiting_calls(station: Station) -> list[WaitingCall]:
    """Connected 小微 applications whose customer has not been reached yet, oldest connection first."""
    rows = station.store.rows(
        "SELECT a.uuid, a.number, a.customer_name, a.phone, a.finished_at, "
        "(SELECT count(*) FROM followup_calls c WHERE c.application = a.uuid) AS attempts "
        f"FROM applications a WHERE {_CONNECTED_SMALL_MICRO} AND NOT {_REACHED} ORDER BY a.finished_at, a.number"
    )
    return [
        WaitingCall(r["uuid"], r["number"], r["customer_name"], r["phone"], r["finished_at"], r["attempts"])
        for r in rows
    ]


@dataclass(frozen=True)
class CallAnswer:
    """What the call found. `satisfied` is None when the customer was not reached."""

    reached: bool
    satisfied: bool | None = None
    extra_documents: bool = False
    fee_asked: bool = False
    second_visit: bool = False
    said: str = ""
    complaint: bool = False
    follow_up: str = ""


def _check(answer: CallAnswer) -> None:
    if not answer.reached and (answer.satisfied is not None or answer.complaint or answer.said.strip()):
        raise StationError("未接通的回访不能记录满意度、投诉或客户意见")
    if answer.reached and answer.satisfied is None:
        raise StationError("已接通的回访请记录客户是否满意")
    if answer.complaint and not answer.follow_up.strip():
        raise StationError("客户有投诉：请写明后续处理（谁、何时跟进）")


def record_call(
    station: Station, application: str, answer: CallAnswer, *, operator: str, at: datetime | None = None
) -> str:
    """Record one call to a connected application's customer. Returns the call's id."""
    app = application_row(station, application)
    if app["status"] not in ("connected", "closed") or (app["finish_reason"] or ""):
        raise StationError(f"申请 {app['number']} 尚未送电，不能回访")
    _check(answer)
    payload = ev.FollowupCalled(
        call=str(uuid.uuid4()), reached=answer.reached, satisfied=answer.satisfied,
        extra_documents=answer.extra_documents, fee_asked=answer.fee_asked, second_visit=answer.second_visit,
        said=answer.said.strip(), complaint=answer.complaint, follow_up=answer.follow_up.strip(),
    )  # fmt: skip
    station.store.record(payload, application=application, operator=operator, simulated_at=at)
    return payload.call


@dataclass(frozen=True)
class CallShares:
    connected: int  # connected 小微 applications (connected in the month, when a month is given)
    called: int  # of those, reached by a call
    satisfied: int  # of those reached, satisfied at the latest call that reached them

    @property
    def called_share(self) -> float | None:
        return round(self.called / self.connected, 4) if self.connected else None

    @property
    def satisfied_share(self) -> float | None:
        return round(self.satisfied / self.called, 4) if self.called else None


def call_shares(station: Station, month: str | None = None) -> CallShares:
    """Share called and share satisfied among connected 小微 applications (of the month of connection, YYYY-MM)."""
    if month is not None:
        check_month(month)
    where, params = ("AND substr(a.finished_at, 1, 7) = ?", (month,)) if month else ("", ())
    row = station.store.rows(
        f"SELECT count(*) AS connected, coalesce(sum({_REACHED}), 0) AS called, coalesce(sum(("
        "SELECT c.satisfied FROM followup_calls c WHERE c.application = a.uuid AND c.reached = 1 "
        "ORDER BY c.called_at DESC LIMIT 1)), 0) AS satisfied "
        f"FROM applications a WHERE {_CONNECTED_SMALL_MICRO} {where}",
        params,
    )[0]
    return CallShares(row["connected"], row["called"], row["satisfied"])
