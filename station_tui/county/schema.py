"""The county's schema, the same on SQLite and PostgreSQL, made from the export's column definitions.

Every table carries the station's code, and every unique key starts with it: the partition key of a province's
database (docs/county-partitioning.md). Events are unique by (station, uuid); the snapshot tables hold the newest
export of each station, unique by (station, uuid) as well."""

from __future__ import annotations

from station_tui.county.contract import contracts, sql_type
from station_tui.county.facts import rebuild as rebuild_facts
from station_tui.county.target import Target

SCHEMA_VERSION = 1
OUTCOME_TYPES = ("application.connected", "application.terminated")

# What the loader writes beside the stations' own rows.
OWN_TABLES = (
    """CREATE TABLE IF NOT EXISTS county_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS stations (
        code TEXT PRIMARY KEY, name TEXT NOT NULL,
        snapshot_export TEXT, snapshot_written_at TEXT,
        last_export_at TEXT, last_event_at TEXT, last_folder TEXT
    )""",
    # One row per export loaded: the event range it covered on its device (the gaps are the holes between them).
    """CREATE TABLE IF NOT EXISTS loads (
        station TEXT NOT NULL, export TEXT NOT NULL, device TEXT NOT NULL, folder TEXT NOT NULL,
        written_at TEXT NOT NULL, first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL,
        event_rows BIGINT NOT NULL, new_events BIGINT NOT NULL, loaded_at TEXT NOT NULL,
        PRIMARY KEY (station, export)
    )""",
    # Each station's export schedule as its newest manifest carries it (`county status`: past its schedule when
    # next_export_at has passed). Older exports carry none: no row, and the station is judged by silence only.
    """CREATE TABLE IF NOT EXISTS station_schedules (
        station TEXT PRIMARY KEY, written_at TEXT NOT NULL, described TEXT NOT NULL, next_export_at TEXT
    )""",
    # Folders refused (tampered, incomplete, foreign), until a later run loads them.
    """CREATE TABLE IF NOT EXISTS refusals (
        folder TEXT PRIMARY KEY, station TEXT NOT NULL, reason TEXT NOT NULL, seen_at TEXT NOT NULL
    )""",
    # Each application's connections and terminations, from the events (the indicators' outcomes: the last counts).
    """CREATE TABLE IF NOT EXISTS outcomes (
        station TEXT NOT NULL, uuid TEXT NOT NULL, application TEXT NOT NULL, type TEXT NOT NULL, day TEXT NOT NULL,
        seq BIGINT NOT NULL, PRIMARY KEY (station, uuid)
    )""",
    # Which export each application's snapshot rows (the application, its documents, stages and notices) came from:
    # an export's rows replace the county's only where they are newer, so a night that arrives late never undoes a
    # later one, and a partial snapshot (the applications an incremental export's events name) touches only those.
    """CREATE TABLE IF NOT EXISTS snapshot_applications (
        station TEXT NOT NULL, uuid TEXT NOT NULL, written_at TEXT NOT NULL, PRIMARY KEY (station, uuid)
    )""",
    # Working days a pause took off, from the application.resumed events (the station's `pauses` table is not
    # exported; its numbers are in these events' payloads).
    """CREATE TABLE IF NOT EXISTS pauses (
        station TEXT NOT NULL, uuid TEXT NOT NULL, application TEXT NOT NULL, paused_workdays BIGINT NOT NULL,
        PRIMARY KEY (station, uuid)
    )""",
    # Each application's facts as the indicators read them, kept at load time (county/facts.py): a range's
    # indicators are GROUP BYs over this table. Raw days, not working days (counted with the calendar asked for).
    """CREATE TABLE IF NOT EXISTS application_facts (
        station TEXT NOT NULL, uuid TEXT NOT NULL, category TEXT, category_name TEXT, accepted_date TEXT,
        due_date TEXT, complete BIGINT NOT NULL, deferred_mode BIGINT NOT NULL, documents BIGINT NOT NULL,
        stages BIGINT NOT NULL, deferred BIGINT NOT NULL, deferred_on_time BIGINT NOT NULL, paused BIGINT NOT NULL,
        small_micro BIGINT, called BIGINT NOT NULL, satisfied BIGINT NOT NULL, works_due TEXT,
        outcome TEXT, outcome_day TEXT, finished_stages TEXT,
        PRIMARY KEY (station, uuid)
    )""",
)
INDEXES = (
    # The events table has its primary key only: every further index would cost each of millions of rows again.
    # Every index leads with the station, as the keys do: a station's folder then adds to its own part of each index,
    # a few pages at its end, instead of to pages all over it (an index led by a day has every station's rows of that
    # day side by side, so each folder rewrote most of its pages: a third of a full load's time went to four of them).
    # A question over all stations reads each station's part: `station IN (SELECT code FROM stations)`.
    "DROP INDEX IF EXISTS outcomes_day",
    "DROP INDEX IF EXISTS outcomes_application",
    "DROP INDEX IF EXISTS outcomes_by_day",
    "DROP INDEX IF EXISTS applications_accepted",
    # The indicators read application_facts now: this one served them before, and only cost each load since.
    "DROP INDEX IF EXISTS applications_by_accepted",
    "DROP INDEX IF EXISTS facts_by_accepted",
    "DROP INDEX IF EXISTS facts_by_outcome",
    "DROP INDEX IF EXISTS outcomes_by_application",
    # The report's outcomes of a half year, with every column it reads (no look-up of the row); an application's
    # outcomes in the order the facts take the last one (seq, then uuid: without the uuid each look-up sorted).
    "CREATE INDEX IF NOT EXISTS outcomes_by_station_day ON outcomes (station, day, application, type, seq)",
    "CREATE INDEX IF NOT EXISTS outcomes_newest ON outcomes (station, application, seq, uuid)",
    # Supporting works and follow-up calls are read from their events: partial indexes hold those two types only
    # (a few rows per thousand events), so the loading of the other events does not pay for them.
    "CREATE INDEX IF NOT EXISTS events_works ON events (station, application) WHERE type = 'works.recorded'",
    "CREATE INDEX IF NOT EXISTS events_calls ON events (station, application) WHERE type = 'followup.called'",
    "CREATE INDEX IF NOT EXISTS documents_application ON documents (station, application)",
    "CREATE INDEX IF NOT EXISTS stages_application ON stages (station, application)",
    "CREATE INDEX IF NOT EXISTS notices_application ON notices (station, application)",
    "CREATE INDEX IF NOT EXISTS pauses_application ON pauses (station, application)",
    # A range's facts by the day they count on, each with every column its query reads (no look-up of the row).
    "CREATE INDEX IF NOT EXISTS facts_by_station_accepted ON application_facts (station, accepted_date, category,"
    " category_name, complete, deferred_mode, documents, stages, deferred, deferred_on_time)",
    "CREATE INDEX IF NOT EXISTS facts_by_station_outcome ON application_facts (station, outcome_day, uuid, category,"
    " category_name, accepted_date, due_date, paused, small_micro, called, satisfied, works_due, outcome)",
)


def contract_table_sql(table: str, columns: list[tuple[str, str]], keyed: bool = True) -> str:
    cells = ", ".join(f"{name} {sql_type(kind)}" for name, kind in columns)
    key = ", PRIMARY KEY (station, uuid)" if keyed else ""
    return f"CREATE TABLE IF NOT EXISTS {table} (station TEXT NOT NULL, {cells}{key})"


def record_schedule(target: Target, station: str, manifest: dict) -> None:
    """The schedule of the station's newest export (an older folder loaded late does not replace it)."""
    schedule = manifest.get("schedule")
    if not isinstance(schedule, dict):
        return
    target.execute(
        "INSERT INTO station_schedules (station, written_at, described, next_export_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (station) DO UPDATE SET written_at = excluded.written_at, described = excluded.described,"
        " next_export_at = excluded.next_export_at WHERE station_schedules.written_at < excluded.written_at",
        (station, manifest["written_at"], str(schedule.get("described") or ""), schedule.get("next_run")),
    )


def station_defaults(target: Target) -> None:
    """PostgreSQL: the station column of the tables loaded from the exports defaults to the setting county.station,
    which a first load sets for its transaction, so that COPY writes the file straight into the table (COPY takes no
    constant column). Unset, the default is NULL, which the NOT NULL refuses: no row is ever stored without one."""
    if target.dialect != "postgresql":
        return
    default = "NULLIF(current_setting('county.station', true), '')"
    missing = target.query(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND column_name = 'station' AND table_name IN ({}) AND column_default IS NULL".format(
            ", ".join(f"'{c.table}'" for c in contracts().values())
        )
    )
    for (table,) in missing:
        target.execute(f"ALTER TABLE {table} ALTER COLUMN station SET DEFAULT {default}")


def _column_names(target: Target, table: str) -> set[str]:
    if target.dialect == "sqlite":
        return {row[1] for row in target.query(f"PRAGMA table_info({table})")}
    found = target.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    return {row[0] for row in found}


def add_listed_columns(target: Target, table: str, columns: list[tuple[str, str]]) -> None:
    """A county file made before the export's dictionary listed a column gets it, empty for the rows already loaded
    (the next full export of each station fills them)."""
    have = _column_names(target, table)
    for name, kind in columns:
        if name not in have:
            target.execute(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type(kind)}")


def ensure_schema(target: Target) -> None:
    with target.transaction():
        for sql in OWN_TABLES:
            target.execute(sql)
        for contract in contracts().values():
            target.execute(contract_table_sql(contract.table, [(c.name, c.kind) for c in contract.columns]))
            add_listed_columns(target, contract.table, [(c.name, c.kind) for c in contract.columns])
        for sql in INDEXES:
            target.execute(sql)
        station_defaults(target)
        target.execute(
            "INSERT INTO county_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
            (str(SCHEMA_VERSION),),
        )
        # A county file loaded before snapshot_applications existed: its rows are as of each station's snapshot.
        if not target.query("SELECT 1 FROM snapshot_applications LIMIT 1"):
            target.execute(
                "INSERT INTO snapshot_applications (station, uuid, written_at) SELECT a.station, a.uuid,"
                " s.snapshot_written_at FROM applications a JOIN stations s ON s.code = a.station"
                " WHERE s.snapshot_written_at IS NOT NULL"
            )
        rebuild_facts(target)  # a county file loaded before the facts were kept (or of another version) gets them
