"""Field work (issue 14): a customer manager takes applications out on a laptop running the same program with its
own database, works offline, and brings the work back. Checkout and checkin run at the station; open and pack run on
the laptop. What travels is events (services/field_bundle.py); merging adds the events a side does not have, by UUID,
and projects them (transitions both sides made from the same state are kept and flagged: store/conflicts.py).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import uuid as uuid_lib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from station_tui.domain.errors import StationError
from station_tui.domain.glossary import APPLICATION_STATUSES, zh
from station_tui.domain.timeutil import Clock, from_iso, system_now, to_iso
from station_tui.services import field_bundle as fb
from station_tui.services.station import Station
from station_tui.store import Store, catalogue
from station_tui.store import payloads as ev
from station_tui.store.events import EVENT_COLUMNS, Event

STATION_DEVICE_CODE = "01"
# Station-wide events a laptop needs to work: the station's identity and settings (profile), holiday schedules.
_REFERENCE_TYPES = ("station.initialized", "settings.changed", "holidays.entered")
_KEY = "field_key"  # meta: the station's bundle key (a laptop gets it with its checkout)


@dataclass(frozen=True)
class CheckoutResult:
    path: Path
    manager: str
    device_code: str
    applications: list[str]  # numbers
    events: int
    # Applications still out on another laptop (number, device code): both may move them; checkin flags a clash.
    already_out: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OpenResult:
    path: Path
    device_code: str
    created: bool
    added: int
    applications: int
    clock_warning: str | None = None


@dataclass(frozen=True)
class PackResult:
    path: Path
    device_code: str
    events: int


@dataclass(frozen=True)
class ApplicationReport:
    number: str
    added: int
    before: str
    after: str
    conflicts: int


@dataclass
class CheckinReport:
    """What a checkin brought, short enough to read for a laptop that held 10,000 applications: the events by kind,
    how many applications went from which state to which, and, one line each, the applications in conflict."""

    device_code: str
    added: int = 0
    returned: int = 0
    kinds: list[tuple[str, int]] = field(default_factory=list)  # (label, events), most first
    changes: list[tuple[str, str, int]] = field(default_factory=list)  # (before, after, applications)
    conflicted: list[ApplicationReport] = field(default_factory=list)

    def lines(self, decide: str = "待站长处理") -> list[str]:
        lines = [f"设备 {self.device_code} 交回：新增 {self.added} 条事件，结束借出 {self.returned} 件"]
        if self.kinds:
            lines.append("事件：" + "，".join(f"{label} {count} 条" for label, count in self.kinds))
        for before, after, count in self.changes:
            lines.append(f"{before} → {after}：{count} 件" if before != after else f"仍为{after}：{count} 件")
        for app in self.conflicted:
            lines.append(
                f"{app.number}：新增 {app.added} 条事件，{app.before} → {app.after}；有 {app.conflicts} 处冲突，{decide}"
            )
        return lines


# --- helpers -------------------------------------------------------------------------------------------------------


def _meta(store: Store, key: str) -> str | None:
    return store.one("SELECT value FROM meta WHERE key = ?", (key,))


def _station_key(store: Store) -> str:
    key = _meta(store, _KEY)
    if key is None:
        key = secrets.token_hex(32)
        store.set_meta(_KEY, key)
    return key


def _manager(station: Station, name: str) -> str:
    found = station.store.rows(
        "SELECT uuid FROM operators WHERE name = ? AND role = 'customer_manager' AND active = 1", (name.strip(),)
    )
    if not found:
        raise StationError(f"本所没有名为「{name}」的客户经理")
    return found[0]["uuid"]


def _next_code(store: Store) -> str:
    codes = [int(c) for c in (r["code"] for r in store.rows("SELECT code FROM devices")) if c.isdigit()]
    return f"{max([int(STATION_DEVICE_CODE), *codes]) + 1:02d}"


def _select(store: Store, where: str, params: tuple) -> list[Event]:
    return [Event.from_row(r) for r in store.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE {where}", params)]


def _words(state: tuple[str, int | None] | None) -> str:
    return "（无）" if state is None else f"{zh(APPLICATION_STATUSES, state[0])}·第 {state[1]} 环节"


def _raw_states(store: Store, applications: Iterable[str]) -> dict[str, tuple[str, int | None]]:
    """(status, current stage) of each of the applications this database holds (one query)."""
    return {
        uuid: (status, stage)
        for uuid, status, stage in store.conn.execute(
            "SELECT uuid, status, current_stage FROM applications WHERE uuid IN (SELECT value FROM json_each(?))",
            (json.dumps(list(applications)),),
        )
    }


def _states(store: Store, applications: list[str]) -> dict[str, tuple[str, str, int]]:
    """For each application (two queries): its number, its state in words and how many conflicts it has."""
    marks = json.dumps(applications)
    conflicts = dict(store.conn.execute(
        "SELECT application, count(*) FROM conflicts WHERE application IN (SELECT value FROM json_each(?))"
        " GROUP BY application", (marks,),
    ))  # fmt: skip
    found = {
        uuid: (number, _words((status, stage)), conflicts.get(uuid, 0))
        for uuid, number, status, stage in store.conn.execute(
            "SELECT uuid, number, status, current_stage FROM applications"
            " WHERE uuid IN (SELECT value FROM json_each(?))",
            (marks,),
        )
    }
    return {app: found.get(app, (app, _words(None), 0)) for app in applications}


# --- at the station: checkout ----------------------------------------------------------------------------------------


def checkout(
    station: Station, manager_name: str, to: Path, *, device_code: str | None = None, operator: str | None = None
) -> CheckoutResult:
    """The manager's open and paused applications with all their events, the reference events the laptop needs and
    the manager as operator (PIN hash only), with a lease event per application, written to `to`. `operator` is who
    lends them (the one logged in on the screen; the command line has none)."""
    store = station.store
    if not station.initialized:
        raise StationError("本数据库还没有初始化为供电所，不能借出")
    if _meta(store, "field_station") is not None:
        raise StationError(f"数据库 {store.path} 是外勤电脑的数据库：借出要在供电所电脑上做")
    manager = _manager(station, manager_name)
    apps = store.rows(
        "SELECT uuid, number FROM applications WHERE customer_manager = ? AND status IN ('open', 'paused')"
        " ORDER BY number",
        (manager,),
    )
    if not apps:
        raise StationError(f"客户经理「{manager_name}」没有在办的申请，无需借出")
    if device_code is not None and not store.one("SELECT 1 FROM devices WHERE code = ?", (device_code,)):
        raise StationError(f"设备代码 {device_code} 未在本所登记（新电脑不必指定 --device）")
    already_out = [
        (r["number"], r["device_code"])
        for r in store.rows(
            "SELECT a.number, l.device_code FROM leases l JOIN applications a ON a.uuid = l.application"
            " WHERE a.customer_manager = ? AND l.returned_at IS NULL AND l.device_code != coalesce(?, '')"
            " ORDER BY a.number, l.device_code",
            (manager, device_code),
        )
    ]
    key = _station_key(store)
    bundle_id = str(uuid_lib.uuid4())
    ids = [a["uuid"] for a in apps]
    with store.transaction():
        code = device_code or _next_code(store)
        if device_code is None:
            store.record(ev.DeviceRegistered(code=code, manager=manager, bundle=bundle_id), operator=operator)
        for app in ids:
            lease = ev.FieldLeased(bundle=bundle_id, manager=manager, device_code=code)
            store.record(lease, application=app, operator=operator)
        events = _checkout_events(store, manager, code, ids)
        reference = {
            "manager": manager,
            "station_device": store.device_id,
            "station_clock": to_iso(store.clock()),
            "key": key,
            "applications": ids,
        }
        fb.write_bundle(
            to, kind=fb.CHECKOUT, bundle_id=bundle_id, station_code=station.station_code, device_code=code, key=key,
            events=events, reference=reference, created_at=reference["station_clock"],
        )  # fmt: skip
    return CheckoutResult(Path(to), manager_name, code, [a["number"] for a in apps], len(events), already_out)


def _checkout_events(store: Store, manager: str, code: str, applications: list[str]) -> list[Event]:
    marks = ", ".join("?" * len(_REFERENCE_TYPES))
    chosen = _select(store, f"type IN ({marks})", _REFERENCE_TYPES)
    chosen += _select(store, "type = 'operator.created' AND json_extract(payload, '$.operator') = ?", (manager,))
    chosen += _select(store, "type = 'device.registered' AND json_extract(payload, '$.code') = ?", (code,))
    # The device's earlier checkins (one event each, of no application): its old leases end on the laptop too.
    chosen += _select(
        store,
        "type = 'field.returned' AND application IS NULL AND json_extract(payload, '$.device_code') = ?",
        (code,),
    )
    for app in applications:
        chosen += _select(store, "application = ?", (app,))
    return sorted(chosen, key=lambda e: e.seq or 0)


# --- on the laptop: open and pack ------------------------------------------------------------------------------------


def open_laptop(bundle_path: Path, db_path: Path, *, clock: Clock = system_now) -> OpenResult:
    """Make the laptop database from a checkout (its own new device id, never copied), or refresh it."""
    db_path = Path(db_path)
    created = not db_path.exists()
    if not created:
        probe = Store(db_path, clock=clock)
        try:
            return _refresh(probe, bundle_path)
        finally:
            probe.close()
    bundle = fb.read_bundle(bundle_path, station_code=None, key=None, kind=fb.CHECKOUT)
    bundle = fb.read_bundle(bundle_path, station_code=None, key=bundle.reference["key"], kind=fb.CHECKOUT)
    store = Store(db_path, clock=clock)
    try:
        added = _take(store, bundle)
        warning = clock_warning(bundle.reference["station_clock"], store.clock(), just_opened=True)
        return OpenResult(db_path, bundle.device_code, True, added, len(bundle.reference["applications"]), warning)
    except BaseException:
        store.close()
        for leftover in (db_path, *(db_path.with_name(db_path.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)  # a laptop database that never got its checkout is not kept half made
        raise
    finally:
        store.close()


def _refresh(store: Store, bundle_path: Path) -> OpenResult:
    station = _meta(store, "field_station")
    if station is None:
        raise StationError(f"数据库 {store.path} 不是外勤电脑的数据库：不能在这里打开借出文件")
    bundle = fb.read_bundle(bundle_path, station_code=station, key=_meta(store, _KEY), kind=fb.CHECKOUT)
    if bundle.device_code != store.device_code:
        raise StationError(f"借出文件 {bundle_path} 是给设备 {bundle.device_code} 的，本电脑是设备 {store.device_code}")
    added = _take(store, bundle)
    warning = clock_warning(bundle.reference["station_clock"], store.clock(), just_opened=True)
    return OpenResult(store.path, bundle.device_code, False, added, len(bundle.reference["applications"]), warning)


def _take(store: Store, bundle: fb.Bundle) -> int:
    fb.check_against(store, bundle)
    meta = {
        "field_station": bundle.manifest["station_code"],
        _KEY: bundle.reference["key"],
        "device_code": bundle.device_code,
        "field_manager": bundle.reference["manager"],
        "field_station_clock": bundle.reference["station_clock"],
    }
    with store.transaction():
        for key, value in meta.items():
            store.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        added = fb.merge(store, bundle)
    store.device_code = bundle.device_code
    return len(added)


def pack(db_path: Path, to: Path) -> PackResult:
    """Every event this laptop recorded (the whole of its own log: the station takes what it lacks) to `to`."""
    store = Store(Path(db_path))
    try:
        station = _meta(store, "field_station")
        if station is None:
            raise StationError(f"数据库 {db_path} 不是外勤电脑的数据库：交回文件只能在外勤电脑上生成")
        events = _select(store, "device = ? ORDER BY device_seq", (store.device_id,))
        reference = {"device": store.device_id, "manager": _meta(store, "field_manager")}
        fb.write_bundle(
            to, kind=fb.PACK, bundle_id=str(uuid_lib.uuid4()), station_code=station, device_code=store.device_code,
            key=_meta(store, _KEY) or "", events=events, reference=reference, created_at=to_iso(store.clock()),
            whole_devices=[store.device_id],
        )  # fmt: skip
        return PackResult(Path(to), store.device_code, len(events))
    finally:
        store.close()


# --- at the station: checkin -----------------------------------------------------------------------------------------


def checkin(station: Station, bundle_path: Path, *, operator: str | None = None) -> CheckinReport:
    """Verify, add the laptop's events by UUID, end its leases; the same file twice changes nothing. `operator` is
    who takes the work back (recorded on the return event)."""
    store = station.store
    key = _meta(store, _KEY)
    if key is None:
        raise StationError("本所还没有借出过外勤文件，没有可交回的")
    bundle = fb.read_bundle(bundle_path, station_code=station.station_code, key=key, kind=fb.PACK)
    code = bundle.device_code
    if not store.one("SELECT 1 FROM devices WHERE code = ?", (code,)):
        raise StationError(f"交回文件 {bundle_path} 来自设备 {code}，该设备未在本所登记")
    touched = sorted({e.application for e in bundle.events if e.application})
    leased = [r["application"] for r in store.rows(
        "SELECT application FROM leases WHERE device_code = ? AND returned_at IS NULL ORDER BY application", (code,)
    )]  # fmt: skip
    # Before, only where the bundle brings events: a lease ending alone does not move its application.
    before = _raw_states(store, touched)
    with _checkpoint_later(store), store.transaction():
        added = fb.merge(store, bundle)
        per_app = Counter(e.application for e in added if e.application)
        if leased:  # one event ends every lease of the device, however many applications it took out
            returned = {app: per_app[app] for app in leased}
            store.record(
                ev.FieldReturned(
                    bundle=bundle.bundle_id, device_code=code, events=sum(returned.values()), returned=returned
                ),
                operator=operator,
            )
    return _report(store, code, added, len(leased), before, per_app)


@contextlib.contextmanager
def _checkpoint_later(store: Store) -> Iterator[None]:
    """No WAL checkpoint at this commit: SQLite's automatic checkpoint at commit would copy the whole transaction
    (about 64 MB of WAL for 10,000 events into the 200,000-application demo) into the database file before the report
    shows. Safety does not need it there: with the default synchronous = FULL the commit is durable once its WAL
    frames are written and synced (the checkpoint only moves them into the database file), and after a crash SQLite
    replays the WAL on opening. The pages are moved by `settle` (the 外勤 screen runs it after showing the report),
    else at the next commit past the threshold or when the last connection closes (the CLI, after printing)."""
    conn = store.conn
    (pages,) = conn.execute("PRAGMA wal_autocheckpoint").fetchone()
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


def settle(station: Station) -> None:
    """Move a checkin's pages from the WAL into the database file (PASSIVE: never waits for readers or blocks
    writers); for after the report is shown."""
    station.store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _report(
    store: Store,
    code: str,
    added: list[Event],
    returned: int,
    before: dict[str, tuple[str, int | None]],
    per_app: Counter,
) -> CheckinReport:
    """Counted in Python over plain (status, stage) pairs, put in words once per pair: a checkin may bring 10,000
    applications."""
    labels = catalogue.labels()
    kinds = Counter(labels.get(e.type, e.type) for e in added)
    after = _raw_states(store, per_app)
    changes = Counter((before.get(app), after.get(app)) for app in per_app)
    flagged = [r[0] for r in store.conn.execute(
        "SELECT DISTINCT application FROM conflicts WHERE application IN (SELECT value FROM json_each(?))",
        (json.dumps(list(per_app)),),
    )]  # fmt: skip
    conflicted = [
        ApplicationReport(number, per_app[app], _words(before.get(app)), state, conflicts)
        for app, (number, state, conflicts) in _states(store, sorted(flagged)).items()
    ]
    return CheckinReport(
        code, len(added), returned, kinds.most_common(),
        [(_words(was), _words(now), count) for (was, now), count in changes.most_common()],
        sorted(conflicted, key=lambda a: a.number),
    )  # fmt: skip


# --- the laptop's clock ----------------------------------------------------------------------------------------------

# Five minutes: a laptop that synchronises its time stays within a minute of the station, and a manager opens the
# checkout at the counter within minutes of making it; an hour or a day off (a flat battery, a wrong time zone) is far
# beyond it. What a laptop records carries its clock: a wrong one shifts working-day limits and, in a conflict, which
# side counts as first (store/conflicts.py orders by recorded time).
CLOCK_TOLERANCE = timedelta(minutes=5)


def clock_warning(station_clock: str, now: datetime, *, just_opened: bool) -> str | None:
    """A warning when the laptop's clock reads earlier than the station's at checkout (certainly wrong), or, when the
    checkout is being opened, later by more than the tolerance (wrong unless it was opened that much later)."""
    at = from_iso(station_clock)
    minutes = round(abs((now - at).total_seconds()) / 60)
    if now < at - CLOCK_TOLERANCE:
        return f"本机时钟比供电所借出时（{at:%Y-%m-%d %H:%M}）还早 {minutes} 分钟：请校正本机时间后再办理"
    if just_opened and now > at + CLOCK_TOLERANCE:
        return (
            f"本机时钟比供电所借出时（{at:%Y-%m-%d %H:%M}）晚 {minutes} 分钟："
            "若不是借出后隔了这么久才打开，请校正本机时间"
        )
    return None


def laptop_clock_warning(store: Store) -> str | None:
    """For the app on a laptop: the clock reads earlier than the station's at the latest checkout."""
    station_clock = _meta(store, "field_station_clock")
    return None if station_clock is None else clock_warning(station_clock, store.clock(), just_opened=False)


# --- for the 外勤 screen -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeasedApplication:
    number: str
    customer: str
    state: str


def is_laptop(station: Station) -> bool:
    return _meta(station.store, "field_station") is not None


def leased_here(station: Station) -> list[LeasedApplication]:
    """On a laptop: the applications its checkout brought, as they stand here now."""
    store = station.store
    rows = store.rows(
        "SELECT DISTINCT a.uuid, a.number, a.customer_name FROM leases l JOIN applications a ON a.uuid = l.application"
        " WHERE l.device_code = ? AND l.returned_at IS NULL ORDER BY a.number",
        (store.device_code,),
    )
    states = _states(store, [r["uuid"] for r in rows])
    return [LeasedApplication(r["number"], r["customer_name"], states[r["uuid"]][1]) for r in rows]
