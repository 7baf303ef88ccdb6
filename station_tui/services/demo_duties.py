"""The station's duties in the demo (issue 16): supporting grid works on the applications that need them, follow-up
calls (回访) to the customers of connected 小微 applications, and the 站长's review of terminations.

Everything goes through the services the screens and commands use, at simulated times, so it is valid by
construction. The draws come from a generator of their own (seeded from the demo's seed): the applications a seed
gave before the duties existed stay the same, only the duties are added.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from station_tui.domain.timeutil import from_iso, local_date
from station_tui.services import followups, terminations, works
from station_tui.services.applications import application_row
from station_tui.services.followups import CallAnswer
from station_tui.services.operators import authorize_head
from station_tui.services.station import Station

PROJECT_MANAGERS = ("周海涛", "孙立新")  # 双经理负责制: the grid side's project managers (not operators of the app)
# The 10 kV works a rural station's high-voltage applications mostly need, likeliest first (weights).
HIGH_VOLTAGE_WORKS = {
    "10千伏/线路T接": 5,
    "10千伏/新、改建架空线路": 3,
    "10千伏/新、改建环网柜或分支箱": 2,
    "10千伏/新建开闭所或电缆线路": 1,
}
SATISFIED_SAID = ("服务很好，一次就办完了", "客户经理上门收资料，很方便", "", "送电比预想的快")
UNSATISFIED = (
    CallAnswer(True, False, second_visit=True, said="现场勘查约了两次才来"),
    CallAnswer(True, False, said="送电时间比告知的晚了几天"),
)
COMPLAINT = CallAnswer(
    True, False, extra_documents=True, second_visit=True, complaint=True,
    said="受理后又被要求补交房产证明，多跑了一趟营业厅",
    follow_up="站长王建国三个工作日内核实是否要求了清单外资料，并电话答复客户",
)  # fmt: skip
REOPEN_REASON = "核查发现客户并未撤回申请，系误终止，恢复办理"
UNSATISFIED_SHARE = 0.12
CALLS_BEFORE_COMPLAINT = 5  # the demo always shows one complaint: the first unsatisfied call, or this one at the latest
CONFIRMED_SHARE = 0.75  # of the terminations old enough to have been reviewed; the rest wait for the 站长


class DemoDuties:
    """The duties of one demo run: called for each application as it is accepted and after it has lived."""

    def __init__(self, station: Station, seed: int, *, head: str, head_pin: str, caller: str, now: datetime) -> None:
        self.station = station
        self.head_pin = head_pin
        self.signed_in = False
        self.rng = random.Random(f"duties-{seed}")
        self.head = head
        self.caller = caller
        self.now = now
        self.kinds = {works.kind_name(k): k.limit for k in works.works_kinds(station)}
        self.dues: dict[tuple[date, int], date] = {}
        self.reached = 0
        self.complained = False
        self.reopened = False
        self.left_unreached = False  # the demo always shows one customer not reached, waiting on the 回访 list

    # --- supporting works, while the application is open -----------------------------------------------------

    def _kind(self, voltage: str, small_micro: bool) -> str:
        if voltage == "high":
            return self.rng.choices(list(HIGH_VOLTAGE_WORKS), weights=list(HIGH_VOLTAGE_WORKS.values()))[0]
        return "低压/小微企业" if small_micro else "低压/非小微企业"

    def record_works(self, application: str, at: datetime) -> None:
        """The works agreed at acceptance: the contract date on or before the limit's due date (the company keeps
        a margin now and then), the customer's own works finishing on or after it."""
        app = application_row(self.station, application)
        kind = self._kind(app["voltage"], bool(app["small_micro"]))
        if kind not in self.kinds:  # a profile without this kind in its table
            return
        limit = self.kinds[kind]
        day = local_date(at)
        due = self.dues.get((day, limit))
        if due is None:  # the same day and limit come back often: the calendar is asked once for each
            due = self.dues[day, limit] = self.station.calendar.due(day, limit).date
        contract = due - timedelta(days=self.rng.choice([0, 0, 1, 2, 3]))
        if contract <= day:
            contract = due
        completion = contract + timedelta(days=self.rng.randint(0, 20))
        works.record_works(
            self.station, application, kind=kind, project_manager=self.rng.choice(PROJECT_MANAGERS),
            contract_date=contract.isoformat(), customer_completion=completion.isoformat(), operator=self.head, at=at,
        )  # fmt: skip

    # --- after the application has lived: calls and reviews ----------------------------------------------

    def _later(self, start: datetime, low: float, high: float) -> datetime | None:
        moment = start + timedelta(hours=self.rng.uniform(low, high))
        return moment if moment < self.now else None

    def after(self, application: str) -> None:
        app = application_row(self.station, application)
        if app["finished_at"] is None:
            return
        finished = from_iso(app["finished_at"])
        if app["finish_reason"]:
            self._review(application, app["status"], finished)
        elif app["small_micro"]:
            self._call(application, finished)

    def _answer(self) -> CallAnswer:
        self.reached += 1
        if not self.complained and (self.rng.random() < UNSATISFIED_SHARE or self.reached > CALLS_BEFORE_COMPLAINT):
            self.complained = True
            return COMPLAINT
        if self.rng.random() < UNSATISFIED_SHARE:
            return self.rng.choice(UNSATISFIED)
        return CallAnswer(True, True, said=self.rng.choice(SATISFIED_SAID))

    def _call(self, application: str, connected: datetime) -> None:
        """A call a day to a few after connection; some first calls do not get through and are tried again."""
        at = self._later(connected, 20, 100)
        if at is not None and (not self.left_unreached or self.rng.random() < 0.15):
            followups.record_call(self.station, application, CallAnswer(False), operator=self.caller, at=at)
            if not self.left_unreached:
                self.left_unreached = True
                return  # not reached, not tried again yet: on the 回访 list whatever the dates drawn
            at = self._later(at, 20, 50)
        if at is None:
            return  # not called yet: on the 回访 list
        followups.record_call(self.station, application, self._answer(), operator=self.caller, at=at)

    def _review(self, application: str, status: str, terminated: datetime) -> None:
        """Reviewed a day to a few after the termination, most confirmed; one (the first that can be) reopened."""
        at = self._later(terminated, 24, 96)
        if at is None:
            return
        if not self.signed_in:  # the 站长's PIN once for the sitting, as at the station
            authorize_head(self.station, self.head, self.head_pin)
            self.signed_in = True
        if not self.reopened and status == "terminated":
            self.reopened = True
            terminations.record_review(
                self.station, application, head=self.head, reopen=True, reason=REOPEN_REASON, at=at
            )
        elif self.rng.random() < CONFIRMED_SHARE:
            terminations.record_review(self.station, application, head=self.head, at=at)
