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
    """A group's finished stages as a JSON list of [position, name, started day, finished day] (read only for the
    connected ones: the working days of each stage, --stages)."""
    cells = "s.position, s.name, substr(s.started_at, 1, 10), substr(s.finished_at, 1, 10)"
    finished = "FILTER (WHERE s.started_at IS NOT NULL AND s.finished_at IS NOT NULL)"
    if dialect == "sqlite":
        return f"json_group_array(json_array({cells})) {finished}"
    return f"CAST(json_agg(json_build_array({cells})) {finished} AS TEXT)"


def _newest(columns: tuple[str, ...], source: str, order: str) -> str:
    """`columns` of each application's newest row of `source` (a SELECT naming station, application) by `order`.
    Grouped again (one row per group: max is that row's value) so that SQLite indexes the result for the join
    instead of scanning it once per application, as it does a windowed subquery."""
    ranked = f"row_number() OVER (PARTITION BY station, application ORDER BY {order}) AS newest"
    cells = ", ".join(f"max({c}) AS {c}" for c in columns)
    return (
        f"SELECT station, application, {cells} FROM (SELECT *, {ranked} FROM ({source}) src) r WHERE newest = 1"
        " GROUP BY station, application"
    )


def _sources(dialect: str) -> dict[str, str]:
    """Each source of the facts read once and grouped by (station, application), by the alias it is joined under.
    `{where}` is the caller's scope on the source's columns station and application."""
    reached, satisfied = _true(dialect, "reached"), _true(dialect, "satisfied")
    # domain.deadlines.works_deadline, on the works.recorded payloads: the earlier of the due and the agreed date.
    earlier = "min" if dialect == "sqlite" else "least"
    deadline = f"{earlier}({_json(dialect, 'due_date')}, {_json(dialect, 'contract_date')})"
    calls = (
        f"SELECT e.station, e.application, e.recorded_at, e.uuid, CASE WHEN {satisfied} THEN 1 ELSE 0 END AS satisfied"
        f" FROM events e WHERE {{where}} AND e.type = 'followup.called' AND {reached}"
    )
    outcomes = "SELECT o.station, o.application, o.seq, o.uuid, o.type, o.day FROM outcomes o WHERE {where}"
    group = " GROUP BY {t}.station, {t}.application"
    return {
        # The deferred documents collected by their application's due date: the due date joined here, once.
        "d": "SELECT d.station, d.application, count(*) AS n,"
        " sum(CASE WHEN d.status IN ('deferred', 'collected') THEN 1 ELSE 0 END) AS deferred,"
        " sum(CASE WHEN d.status = 'collected' AND substr(d.collected_at, 1, 10) <= x.due_date THEN 1 ELSE 0 END)"
        " AS on_time FROM documents d JOIN applications x ON x.station = d.station AND x.uuid = d.application"
        " WHERE {where}" + group.format(t="d"),
        "s": f"SELECT s.station, s.application, count(*) AS n, {_finished_list(dialect)} AS finished FROM stages s"
        " WHERE {where}" + group.format(t="s"),
        "p": "SELECT p.station, p.application, sum(p.paused_workdays) AS days FROM pauses p WHERE {where}"
        + group.format(t="p"),
        # The newest call that reached the customer (a tie on the time goes to the greater key: the same every run).
        "c": _newest(("satisfied",), calls, "recorded_at DESC, uuid DESC"),
        "w": f"SELECT e.station, e.application, min({deadline}) AS due FROM events e"
        " WHERE {where} AND e.type = 'works.recorded'" + group.format(t="e"),
        # The last outcome by seq (a 站长's review that reopened a termination undoes it: no outcome then).
        "o": _newest(("type", "day"), outcomes, "seq DESC, uuid DESC"),
    }


# The table alias each source reads under, for the scope's columns.
_TABLES = {"d": "d", "s": "s", "p": "p", "c": "e", "w": "e", "o": "o"}


def _select(dialect: str, scope: str) -> tuple[str, int]:
    """One row of COLUMNS per application of `applications a` in `scope` (a condition on {station} and {uuid}), and
    how many times the scope is in it (its parameters are given once per time). The same for a station's first
    folder (all its applications) and for a night's few: each source grouped once, then joined by the key."""
    joins = []
    for alias, sql in _sources(dialect).items():
        t = _TABLES[alias]
        where = scope.format(station=f"{t}.station", uuid=f"{t}.application")
        joins.append(
            f"LEFT JOIN ({sql.format(where=where)}) {alias}"
            f" ON {alias}.station = a.station AND {alias}.application = a.uuid"
        )
    # None when it has no finished stage on PostgreSQL (json_agg of none), [] on SQLite (json_group_array of none):
    # both read as no stage.
    stages = "s.finished" if dialect == "postgresql" else "coalesce(s.finished, '[]')"
    sql = f"""
SELECT a.station, a.uuid, a.profile || '/' || a.category, a.category_name, a.accepted_date, a.due_date,
    CASE WHEN a.intake_mode = 'complete' THEN 1 ELSE 0 END,
    CASE WHEN a.intake_mode = 'deferred' THEN 1 ELSE 0 END,
    coalesce(d.n, 0), coalesce(s.n, 0),
    CASE WHEN a.intake_mode = 'deferred' THEN coalesce(d.deferred, 0) ELSE 0 END,
    CASE WHEN a.intake_mode = 'deferred' THEN coalesce(d.on_time, 0) ELSE 0 END,
    CAST(coalesce(p.days, 0) AS BIGINT),
    a.small_micro,
    CASE WHEN a.small_micro = 1 AND c.station IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN a.small_micro = 1 AND c.satisfied = 1 THEN 1 ELSE 0 END,
    w.due,
    CASE WHEN o.type = '{REOPENED}' THEN NULL ELSE o.type END,
    CASE WHEN o.type = '{REOPENED}' THEN NULL ELSE o.day END,
    CASE WHEN o.type = '{CONNECTED}' THEN {stages} END
FROM applications a {" ".join(joins)}
WHERE {scope.format(station="a.station", uuid="a.uuid")} AND a.intake_mode != 'refused'"""
    return sql, len(joins) + 1


def _compute(target: Target, scope: str, params: tuple = (), first: bool = False) -> None:
    """The facts of the applications in `scope` (a condition on {station} and {uuid}, with `params`) computed again
    from the county's rows. A row is written only where a fact changed (most applications a night names keep theirs:
    an unchanged row costs no page); one refused or gone since loses its row. `first`: the scope has no row yet (a
    station's first folder), so every row is new: a plain INSERT, without the look-up of each row's key first."""
    select, times = _select(target.dialect, scope)
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
    if target.dialect != "postgresql":
        target.execute(insert, params * times)
        return
    # A first folder's rows were copied in this same transaction: no statistics yet, so PostgreSQL takes each grouped
    # source for a row or two and joins it by a loop over the applications (thousands of times thousands of rows).
    # The sources are grouped by the key: a hash join is right for them at any size. For this statement only.
    (before,) = target.query("SELECT current_setting('enable_nestloop')")[0]
    target.execute("SELECT set_config('enable_nestloop', 'off', true)")
    target.execute(insert, params * times)
    target.execute("SELECT set_config('enable_nestloop', ?, true)", (before,))


def rebuild(target: Target) -> None:
    """Every application's facts computed again, when the database's are missing or of another version (a county
    file loaded by an older station-tui): once, then recorded in county_meta."""
    found = target.query("SELECT value FROM county_meta WHERE key = ?", (META_KEY,))
    if found and found[0][0] == FACTS_VERSION:
        return
    _compute(target, "1 = 1")
    target.execute("DELETE FROM county_meta WHERE key = ?", (META_KEY,))
    target.execute("INSERT INTO county_meta (key, value) VALUES (?, ?)", (META_KEY, FACTS_VERSION))


def follow_folder(target: Target, station: str, written_at: str, full: bool) -> None:
    """After a folder's events and snapshot are in (same transaction): the facts of the station's applications whose
    snapshot rows it replaced (they are now as of `written_at`) or whose events it added, computed again; after a
    full snapshot, the facts of the applications the station no longer has removed. A station without facts yet
    (its first folder) has all its applications' computed."""
    if not target.station_has_rows("application_facts", station):
        _compute(target, "{station} = ?", (station,), first=True)
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
