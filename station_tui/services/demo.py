"""Demo data: a working station in one command, made through the same services the screens use.

The history has simulated past times (events marked `simulated`), and the station is marked as demo so that the
status line says 演示数据 and nobody mistakes it for a station's real data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from faker import Faker
from stdnum.cn import uscc

from station_tui.domain import validation
from station_tui.domain.errors import StationError
from station_tui.domain.profiles import BUSINESS_TYPE_IDS
from station_tui.services import intake, lifecycle
from station_tui.services.demo_duties import DemoDuties
from station_tui.services.intake import IntakeForm, ReceivedDocument
from station_tui.services.operators import create_operator
from station_tui.services.setup import initialize
from station_tui.services.station import Station

DEMO_OPERATORS = [
    ("王建国", "head", "1111"),
    ("李秀英", "clerk", "2222"),
    ("张伟", "clerk", "3333"),
    ("刘强", "customer_manager", "4444"),
    ("陈静", "customer_manager", "5555"),
]
BATCH = 500  # applications per transaction: one fsync per batch instead of per event
HISTORY_DAYS = 120
# Business types weighted as a rural station sees them: residents and small shops most, 5G masts rarely.
TYPE_WEIGHTS = [40, 25, 5, 8, 4, 8, 6, 4]
# A generator whose values the validators refuse this often in a row is broken, not unlucky: say so instead of looping.
DRAWS = 200


def _valid(what: str, draw: Callable[[], str], check: Callable[[str], object]) -> str:
    """A value the project's own validator accepts, drawn again until it is.

    Faker's data changes between its releases (40.61 began making 149-numbers, which no carrier has): the demo writes
    only what a clerk could have typed. The draws come from the seeded generator, so the same seed and the same lock
    give the same data.
    """
    for _ in range(DRAWS):
        value = draw()
        try:
            check(value)
        except validation.FieldError:
            continue
        return value
    raise StationError(f"演示数据：数据生成器连续 {DRAWS} 次给出本程序不接受的{what}，请检查所装 Faker 的版本")


def _without_warnings(id_type: str) -> Callable[[str], object]:
    """An identity number that is accepted and draws no warning either (the demo should not show warnings)."""

    def check(number: str) -> object:
        checked = validation.identity_document(id_type, number)
        if checked.warnings:
            raise validation.FieldError("id_number", checked.warnings[0])
        return checked

    return check


def _credit_code(fake: Faker, rng: random.Random) -> str:
    """A 统一社会信用代码 with a correct check character (Faker's zh_CN has none)."""
    body = (
        "9"
        + rng.choice("123")
        + _valid("身份证号", fake.ssn, _without_warnings("居民身份证"))[:6]
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def _ensure_station(station: Station, code: str = "DEMO", station_name: str = "演示供电所") -> dict[str, str]:
    """Initialise a demo station, or refuse to touch a real one. Returns operator name → id."""
    if station.initialized and not station.is_demo:
        raise StationError("这是正式数据库，不能写入演示数据。请用 --db 指定一个新文件。")
    if not station.initialized:
        name, role, pin = DEMO_OPERATORS[0]
        initialize(
            station,
            station_name=station_name,
            station_code=code,
            profile_id="zhuxian-2020",
            head_name=name,
            head_phone="13900000001",
            head_pin=pin,
            demo=True,
        )
    ids = {row["name"]: row["uuid"] for row in station.store.rows("SELECT uuid, name FROM operators")}
    head = ids[DEMO_OPERATORS[0][0]]
    for index, (name, role, pin) in enumerate(DEMO_OPERATORS[1:], start=2):
        if name not in ids:
            ids[name] = create_operator(station, name=name, role=role, phone=f"1390000000{index}", pin=pin, by=head)
    return ids


def _form(fake: Faker, rng: random.Random, station: Station, manager: str) -> IntakeForm:
    business_type = rng.choices(BUSINESS_TYPE_IDS, weights=TYPE_WEIGHTS)[0]
    business = station.checklists.business_type(business_type)
    person = business.resident or business_type == "well_private"
    high = business.voltage == "high"
    id_type = "居民身份证" if person else "营业执照"
    form = IntakeForm(
        business_type=business_type,
        customer_name=_valid("客户名称", fake.name if person else fake.company, validation.name),
        id_type=id_type,
        id_number=_valid(
            "证件号码", fake.ssn if person else lambda: _credit_code(fake, rng), _without_warnings(id_type)
        ),
        phone=_valid("手机号", fake.phone_number, validation.phone),
        address=_valid("用电地址", lambda: fake.address().split(" ")[0], validation.address),
        capacity_kw=str(rng.choice([630, 800, 1250, 2000]) if high else rng.choice([4, 8, 10, 16, 30, 50, 100, 150])),
        voltage=business.voltage,
        supporting_works=rng.random() < 0.3,
        dual_supply=high and rng.random() < 0.2,
        important=high and rng.random() < 0.1,
        agent=not person and rng.random() < 0.3,
        channel=rng.choice(["counter", "counter", "counter", "online", "phone"]),
        customer_manager=manager,
    )
    documents = intake.required_documents(station, form)
    primary = station.checklists.primary_document(business_type)
    deferred = rng.random() < 0.35
    form.received = [
        ReceivedDocument(doc.key, doc.forms[0], doc.copy_for(doc.forms[0]))
        for doc in documents
        if not deferred or doc.key == primary.key
    ]
    return form


class _SimulatedTime:
    """The simulated moments of one application's history: each step a little later, never past now."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime) -> None:
        self.rng, self.moment, self.now = rng, start, now

    def later(self, hours: float) -> datetime | None:
        self.moment = self.moment + timedelta(hours=hours * self.rng.uniform(0.5, 1.5))
        return self.moment if self.moment < self.now else None


def _live_through(
    station: Station, rng: random.Random, accepted, operator: str, start: datetime, now: datetime
) -> None:
    """Move one application along at simulated times after its acceptance, never past now."""
    clock = _SimulatedTime(rng, start, now)
    later = clock.later

    fate = rng.random()
    for doc in station.store.rows(
        "SELECT uuid, doc_key FROM documents WHERE application = ? AND status = 'deferred'", (accepted.uuid,)
    ):
        at = later(30)
        if at is None or fate < 0.1:
            return
        spec = station.checklists.document(doc["doc_key"])
        form = rng.choice(spec.forms)
        lifecycle.collect_document(
            station, doc["uuid"], form=form, copy_kind=spec.copy_for(form), operator=operator, at=at
        )
    if fate < 0.05:
        if (at := later(20)) is not None:
            lifecycle.terminate(station, accepted.uuid, reason="客户撤回申请", operator=operator, at=at)
        return
    if fate < 0.12:
        if (at := later(10)) is not None:
            lifecycle.pause(station, accepted.uuid, reason="客户内部工程未完工", operator=operator, at=at)
            if rng.random() < 0.5 and (at := later(60)) is not None:
                lifecycle.resume(station, accepted.uuid, operator=operator, at=at)
                # A resumed application goes on to connection, so that the customer time excluded has data. It
                # draws from its own generator, so the other applications (and the screens' fixed data) stay as
                # they were.
                _carry_on(station, random.Random(accepted.number), accepted, operator, clock.moment, now)
        return
    _carry_on(station, rng, accepted, operator, clock.moment, now)


def _carry_on(
    station: Station, rng: random.Random, accepted, operator: str, start: datetime, now: datetime
) -> None:
    """Advance an application through its stages to connection (and sometimes closing), never past now."""
    later = _SimulatedTime(rng, start, now).later

    stages = station.store.one("SELECT count(*) FROM stages WHERE application = ?", (accepted.uuid,))
    for _ in range(stages - 1):
        if (at := later(rng.choice([8, 24, 60]))) is None:
            return
        lifecycle.advance_stage(station, accepted.uuid, operator=operator, at=at)
    if (at := later(rng.choice([8, 24, 48]))) is None:
        return
    lifecycle.connect(station, accepted.uuid, operator=operator, at=at)
    if rng.random() < 0.6 and (at := later(48)) is not None:
        lifecycle.close(station, accepted.uuid, operator=operator, at=at)


def fill_demo(
    station: Station,
    count: int,
    *,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
    people: Faker | None = None,
    station_code: str = "DEMO",
    station_name: str = "演示供电所",
) -> list[tuple[str, str, str]]:
    """Add `count` applications with histories. Returns the demo operators as (name, role, PIN).

    `people` makes names, numbers and addresses (Faker's zh_CN by default); tests pass a fixed one so that a screen's
    snapshot does not change with Faker's release. `station_code` and `station_name` name a new demo station (the
    county's tests and a new user make several).
    """
    from station_tui.domain.glossary import ROLES

    ids = _ensure_station(station, station_code, station_name)
    rng = random.Random(seed)
    fake = people if people is not None else Faker("zh_CN")
    fake.seed_instance(seed)
    now = station.store.clock()
    clerks = [ids[name] for name, role, _ in DEMO_OPERATORS if role == "clerk"]
    managers = [ids[name] for name, role, _ in DEMO_OPERATORS if role == "customer_manager"]
    # Acceptance times spread over the history, in order, on office hours.
    starts = sorted(
        (now - timedelta(days=rng.uniform(0, HISTORY_DAYS))).replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
        for _ in range(count)
    )
    head_name, _role, head_pin = DEMO_OPERATORS[0]
    duties = DemoDuties(station, seed, head=ids[head_name], head_pin=head_pin, caller=clerks[0], now=now)
    done = 0
    while done < count:
        with station.store.transaction():
            for start in starts[done : done + BATCH]:
                start = min(start, now)
                manager = rng.choice(managers)
                form = _form(fake, rng, station, manager)
                accepted = intake.accept(station, form, operator=rng.choice(clerks), simulated_at=start)
                if form.supporting_works:
                    duties.record_works(accepted.uuid, start)
                _live_through(station, rng, accepted, manager, start, now)
                duties.after(accepted.uuid)
        done = min(count, done + BATCH)
        if progress:
            progress(done)
    return [(name, ROLES[role], pin) for name, role, pin in DEMO_OPERATORS]
