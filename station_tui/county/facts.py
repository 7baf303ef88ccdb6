"""Each application's facts, kept in the county database at load time (table application_facts, one row per
application): what the indicators read of it and its documents, stages, pauses, outcomes, supporting works and
follow-up calls, so that a range's indicators are GROUP BYs over this one table instead of look-ups into five others
per application.

The facts are the ones services.indicators counts (ACCEPTED_FACTS, FINISHED_FACTS, the finished stages), stored raw:
days, not working days (the working days are counted when the indicators are asked, with the calendar asked for, by
the same functions as the station's). An application's row is recomputed whenever a folder changes any of its inputs:
its snapshot rows were replaced (this export is the newest for it) or an event of it was added (an outcome, a pause,
works, a call arriving late). So the row always follows the application's newest snapshot and all its events."""

from __future__ import annotations

from dataclasses import dataclass

from station_tui.county.target import Target
from station_tui.services.indicators import CONNECTED

REOPENED = "termination.reviewed"  # kept in outcomes only when the review reopened the application
FACTS_VERSION = "2"  # in county_meta: a database whose facts are of another version has them computed again
META_KEY = "facts_version"

COLUMNS = (
    "station", "uuid", "category", "category_name", "accepted_date", "due_date", "complete", "deferred_mode",
    "documents", "stages", "deferred", "deferred_on_time", "paused", "small_micro", "called", "satisfied", "works_due",
    "outcome", "outcome_day", "finished_stages",
)  # fmt: skip


def _json(dialect: str, key: str) -> str:
    return f"json_extract(e.payload, '$.{key}')" if dialect == "sqlite" else f"(e.payload::json ->> '{key}')"


def _true(dialect: str, key: str) -> str:
    """The payload's boolean `key` is true (SQLite's json_extract gives 1, PostgreSQL's ->> the text 'true')."""
    return f"{_json(dialect, key)} = 1" if dialect == "sqlite" else f"{_json(dialect, key)} = 'true'"


def _finished_list(dialect: str) -> str:
    """An application's finished stages as a JSON list of [position, name, started day, finished day] (read only for
    the connected ones: the working days of each stage, --stages)."""
    cells = "s.position, s.name, substr(s.started_at, 1, 10), substr(s.finished_at, 1, 10)"
    finished = "FILTER (WHERE s.started_at IS NOT NULL AND s.finished_at IS NOT NULL)"
    if dialect == "sqlite":
        return f"json_group_array(json_array({cells})) {finished}"
    return f"CAST(json_agg(json_build_array({cells})) {finished} AS TEXT)"


@dataclass(frozen=True)
class _Source:
    """One source of the facts: an application's rows of `table` (alias `t`, those matching `where`) and what is read
    of them, `cells`: each an aggregate over the rows, or with `newest` (an ORDER BY) the newest row's value. Written
    once, read in two shapes: grouped by the key for many applications, or looked up per application for a few.
    `{a}` in a cell is the application's row (joined by `join` when grouped)."""

    table: str
    t: str
    cells: dict[str, str]
    where: str = ""
    newest: str = ""
    join: str = ""

    def _where(self, key: str) -> str:
        return f"{key} AND {self.where}" if self.where else key

    def grouped(self, scope: str) -> str:
        """One row per application in `scope` (a condition on {station} and {uuid}), to join by the key."""
        t = self.t
        where = self._where(scope.format(station=f"{t}.station", uuid=f"{t}.application"))
        join = f" {self.join}" if self.join else ""
        cells = ", ".join(f"{expr.format(a='x')} AS {name}" for name, expr in self.cells.items())
        head = f"SELECT {t}.station, {t}.application"
        if not self.newest:
            return f"{head}, {cells} FROM {self.table}{join} WHERE {where} GROUP BY {t}.station, {t}.application"
        # Ranked, then grouped again (one row per group: max is its value) so that SQLite can index the result for the
        # join (it scans a windowed subquery once per application).
        ranked = f"row_number() OVER (PARTITION BY {t}.station, {t}.application ORDER BY {self.newest}) AS newest"
        maxes = ", ".join(f"max({name}) AS {name}" for name in self.cells)
        return (
            f"SELECT station, application, {maxes} FROM ({head}, {cells}, {ranked} FROM {self.table}{join}"
            f" WHERE {where}) r WHERE newest = 1 GROUP BY station, application"
        )

    def looked_up(self, name: str) -> str:
        """The cell `name` of the application `a`, by the source's index on the key."""
        where = self._where(f"{self.t}.station = a.station AND {self.t}.application = a.uuid")
        order = f" ORDER BY {self.newest} LIMIT 1" if self.newest else ""
        return f"(SELECT {self.cells[name].format(a='a')} FROM {self.table} WHERE {where}{order})"


def _sources(dialect: str) -> dict[str, _Source]:
    """Every source of the facts, by the alias it is joined under."""
    reached, satisfied = _true(dialect, "reached"), _true(dialect, "satisfied")
    # domain.deadlines.works_deadline, on the works.recorded payloads: the earlier of the due and the agreed date.
    earlier = "min" if dialect == "sqlite" else "least"
    deadline = f"{earlier}({_json(dialect, 'due_date')}, {_json(dialect, 'contract_date')})"
    collected = "d.status = 'collected' AND substr(d.collected_at, 1, 10) <= {a}.due_date"
    return {
        "d": _Source(
            "documents d",
            "d",
            {
                "n": "count(*)",
                "deferred": "sum(CASE WHEN d.status IN ('deferred', 'collected') THEN 1 ELSE 0 END)",
                "on_time": f"sum(CASE WHEN {collected} THEN 1 ELSE 0 END)",  # collected by the application's due date
            },
            join="JOIN applications x ON x.station = d.station AND x.uuid = d.application",
        ),
        "s": _Source("stages s", "s", {"n": "count(*)", "finished": _finished_list(dialect)}),
        "p": _Source("pauses p", "p", {"days": "sum(p.paused_workdays)"}),
        # The newest call that reached the customer (a tie on the time goes to the greater key: the same every run).
        "c": _Source(
            "events e",
            "e",
            {"reached": "1", "satisfied": f"CASE WHEN {satisfied} THEN 1 ELSE 0 END"},
            f"e.type = 'followup.called' AND {reached}",
            "e.recorded_at DESC, e.uuid DESC",
        ),
        "w": _Source("events e", "e", {"due": f"min({deadline})"}, "e.type = 'works.recorded'"),
        # The last outcome by seq (a 站长's review that reopened a termination undoes it: no outcome then).
        "o": _Source(
            "outcomes o", "o", {"uuid": "o.uuid", "type": "o.type", "day": "o.day"}, newest="o.seq DESC, o.uuid DESC"
        ),
    }


def _select(dialect: str, scope: str, grouped: bool) -> tuple[str, int]:
    """One row of COLUMNS per application of `applications a` in `scope` (a condition on {station} and {uuid}), and
    how many times the scope is in it (its parameters are given once per time). `grouped`: each source read once,
    grouped by the key, and joined (many applications on PostgreSQL); else looked up per application by its index
    (a few; and on SQLite, in process, the look-ups cost less than grouping and indexing each source)."""
    sources = _sources(dialect)
    if grouped:
        joins = " ".join(
            f"LEFT JOIN ({source.grouped(scope)}) {alias} ON {alias}.station = a.station AND {alias}.application = a.uuid"
            for alias, source in sources.items()
        )
        times = len(sources) + 1
    else:  # the outcome's row by the key of the newest (the inner o is the subquery's own)
        joins, times = f"LEFT JOIN outcomes o ON o.station = a.station AND o.uuid = {sources['o'].looked_up('uuid')}", 1

    def cell(alias: str, name: str) -> str:
        return f"{alias}.{name}" if grouped else sources[alias].looked_up(name)

    # None when it has no finished stage on PostgreSQL (json_agg of none), [] on SQLite (json_group_array of none):
    # both read as no stage.
    stages = cell("s", "finished") if dialect == "postgresql" else f"coalesce({cell('s', 'finished')}, '[]')"
    sql = f"""
SELECT a.station, a.uuid, a.profile || '/' || a.category, a.category_name, a.accepted_date, a.due_date,
    CASE WHEN a.intake_mode = 'complete' THEN 1 ELSE 0 END,
    CASE WHEN a.intake_mode = 'deferred' THEN 1 ELSE 0 END,
    coalesce({cell("d", "n")}, 0), coalesce({cell("s", "n")}, 0),
    CASE WHEN a.intake_mode = 'deferred' THEN coalesce({cell("d", "deferred")}, 0) ELSE 0 END,
    CASE WHEN a.intake_mode = 'deferred' THEN coalesce({cell("d", "on_time")}, 0) ELSE 0 END,
    CAST(coalesce({cell("p", "days")}, 0) AS BIGINT),
    a.small_micro,
    CASE WHEN a.small_micro = 1 AND {cell("c", "reached")} = 1 THEN 1 ELSE 0 END,
    CASE WHEN a.small_micro = 1 AND {cell("c", "satisfied")} = 1 THEN 1 ELSE 0 END,
    {cell("w", "due")},
    CASE WHEN o.type = '{REOPENED}' THEN NULL ELSE o.type END,
    CASE WHEN o.type = '{REOPENED}' THEN NULL ELSE o.day END,
    CASE WHEN o.type = '{CONNECTED}' THEN {stages} END
FROM applications a {joins}
WHERE {scope.format(station="a.station", uuid="a.uuid")} AND a.intake_mode != 'refused'"""
    return sql, times


def _compute(target: Target, scope: str, params: tuple = (), first: bool = False, many: bool = False) -> None:
    """The facts of the applications in `scope` (a condition on {station} and {uuid}, with `params`) computed again
    from the county's rows. A row is written only where a fact changed (most applications a night names keep theirs:
    an unchanged row costs no page); one refused or gone since loses its row. `first`: the scope has no row yet (a
    station's first folder), so every row is new: a plain INSERT, without the look-up of each row's key first. `many`:
    the scope is a station's or every application (PostgreSQL reads each source once, grouped, for them)."""
    grouped = many and target.dialect == "postgresql"
    select, times = _select(target.dialect, scope, grouped)
    insert = f"INSERT INTO application_facts ({', '.join(COLUMNS)}) {select}"
    if not first:
        target.execute(
            f"DELETE FROM application_facts WHERE {scope.format(station='station', uuid='uuid')} AND NOT EXISTS"
            " (SELECT 1 FROM applications a WHERE a.station = application_facts.station"
            " AND a.uuid = application_facts.uuid AND a.intake_mode != 'refused')",
            params,
        )
        facts = COLUMNS[2:]
        sets = ", ".join(f"{c} = excluded.{c}" for c in facts)
        changed = " OR ".join(f"application_facts.{c} {target.distinct} excluded.{c}" for c in facts)
        insert += f" ON CONFLICT (station, uuid) DO UPDATE SET {sets} WHERE {changed}"
    if not grouped:
        target.execute(insert, params * times)
        return
    # A first folder's rows were copied in this same transaction: no statistics yet, so PostgreSQL takes each grouped
    # source for a row or two and joins it by a loop over the applications (thousands of times thousands of rows).
    # The sources are grouped by the key: a hash join is right for them at any size. And the stages' JSON lists of a
    # station (a few MB) overflow the default 4 MB of work_mem to disk. For this statement only.
    settings = {"enable_nestloop": "off", "work_mem": "32MB"}
    before = {name: target.query("SELECT current_setting(?)", (name,))[0][0] for name in settings}
    for name, value in settings.items():
        target.execute("SELECT set_config(?, ?, true)", (name, value))
    target.execute(insert, params * times)
    for name, value in before.items():
        target.execute("SELECT set_config(?, ?, true)", (name, value))


def rebuild(target: Target) -> None:
    """Every application's facts computed again, when the database's are missing or of another version (a county
    file loaded by an older station-tui): once, then recorded in county_meta."""
    found = target.query("SELECT value FROM county_meta WHERE key = ?", (META_KEY,))
    if found and found[0][0] == FACTS_VERSION:
        return
    _compute(target, "1 = 1", many=True)
    target.execute("DELETE FROM county_meta WHERE key = ?", (META_KEY,))
    target.execute("INSERT INTO county_meta (key, value) VALUES (?, ?)", (META_KEY, FACTS_VERSION))


def follow_folder(target: Target, station: str, written_at: str, full: bool) -> None:
    """After a folder's events and snapshot are in (same transaction): the facts of the station's applications whose
    snapshot rows it replaced (they are now as of `written_at`) or whose events it added, computed again; after a
    full snapshot, the facts of the applications the station no longer has removed. A station without facts yet
    (its first folder) has all its applications' computed."""
    if not target.station_has_rows("application_facts", station):
        _compute(target, "{station} = ?", (station,), first=True, many=True)
        return
    touched = target.temp_table("facts_touched", "uuid TEXT PRIMARY KEY")
    target.execute(
        f"INSERT INTO {touched} (uuid) SELECT uuid FROM snapshot_applications WHERE station = ? AND written_at = ?",
        (station, written_at),
    )
    target.execute(
        f"INSERT INTO {touched} (uuid) SELECT DISTINCT application FROM {target.new_rows('events')}"
        " AND application IS NOT NULL ON CONFLICT DO NOTHING"
    )
    if full:
        target.execute(
            "DELETE FROM application_facts WHERE station = ? AND NOT EXISTS (SELECT 1 FROM applications a"
            " WHERE a.station = application_facts.station AND a.uuid = application_facts.uuid)",
            (station,),
        )
    _compute(target, f"{{station}} = ? AND {{uuid}} IN (SELECT uuid FROM {touched})", (station,))
