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

_SAME = "{t}.station = a.station AND {t}.application = a.uuid"
# The application's last outcome by seq, joined by its key (a 站长's review that reopened a termination undoes it: no
# outcome then).
_LAST = """LEFT JOIN outcomes o ON o.station = a.station AND o.uuid = (SELECT l.uuid FROM outcomes l
    WHERE l.station = a.station AND l.application = a.uuid ORDER BY l.seq DESC LIMIT 1)"""

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


def _stages_sql(dialect: str) -> str:
    """The application's finished stages as a JSON list of [position, name, started day, finished day] (read only
    for the connected ones: the working days of each stage, --stages). None when it has none on PostgreSQL, [] on
    SQLite: both read as no stage."""
    cells = "s.position, s.name, substr(s.started_at, 1, 10), substr(s.finished_at, 1, 10)"
    if dialect == "sqlite":
        listed = f"json_group_array(json_array({cells}))"
    else:
        listed = f"CAST(json_agg(json_build_array({cells})) AS TEXT)"
    return (
        f"(SELECT {listed} FROM stages s WHERE {_SAME.format(t='s')}"
        " AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL)"
    )


def _select(dialect: str, reopened: str) -> str:
    """One row of COLUMNS per application of `applications a` (the WHERE clause is the caller's)."""
    reached, satisfied = _true(dialect, "reached"), _true(dialect, "satisfied")
    # domain.deadlines.works_deadline, on the works.recorded payloads: the earlier of the due and the agreed date.
    earlier = "min" if dialect == "sqlite" else "least"
    deadline = f"{earlier}({_json(dialect, 'due_date')}, {_json(dialect, 'contract_date')})"
    calls = f"{_SAME.format(t='e')} AND e.type = 'followup.called' AND {reached}"
    docs = f"FROM documents d WHERE {_SAME.format(t='d')}"
    return f"""
SELECT a.station, a.uuid, a.profile || '/' || a.category, a.category_name, a.accepted_date, a.due_date,
    CASE WHEN a.intake_mode = 'complete' THEN 1 ELSE 0 END,
    CASE WHEN a.intake_mode = 'deferred' THEN 1 ELSE 0 END,
    (SELECT count(*) {docs}),
    (SELECT count(*) FROM stages s WHERE {_SAME.format(t="s")}),
    CASE WHEN a.intake_mode = 'deferred' THEN (SELECT count(*) {docs} AND d.status IN ('deferred', 'collected'))
        ELSE 0 END,
    CASE WHEN a.intake_mode = 'deferred' THEN (SELECT count(*) {docs} AND d.status = 'collected'
        AND substr(d.collected_at, 1, 10) <= a.due_date) ELSE 0 END,
    (SELECT CAST(coalesce(sum(p.paused_workdays), 0) AS BIGINT) FROM pauses p WHERE {_SAME.format(t="p")}),
    a.small_micro,
    CASE WHEN a.small_micro = 1 AND EXISTS (SELECT 1 FROM events e WHERE {calls}) THEN 1 ELSE 0 END,
    CASE WHEN a.small_micro = 1 AND (SELECT CASE WHEN {satisfied} THEN 1 ELSE 0 END FROM events e WHERE {calls}
        ORDER BY e.recorded_at DESC LIMIT 1) = 1 THEN 1 ELSE 0 END,
    (SELECT min({deadline}) FROM events e WHERE {_SAME.format(t="e")} AND e.type = 'works.recorded'),
    CASE WHEN o.type = '{reopened}' THEN NULL ELSE o.type END,
    CASE WHEN o.type = '{reopened}' THEN NULL ELSE o.day END,
    CASE WHEN o.type = '{CONNECTED}' THEN {_stages_sql(dialect)} END
FROM applications a {_LAST}
"""


def _compute(target: Target, scope: str, params: tuple = ()) -> None:
    """The facts of the applications in `scope` (a condition on the columns station and uuid, prefixed by {t})
    computed again from the county's rows. A row is written only where a fact changed (most applications a night
    names keep theirs: an unchanged row costs no page); one refused or gone since loses its row."""
    target.execute(
        f"DELETE FROM application_facts WHERE {scope.format(t='')} AND NOT EXISTS (SELECT 1 FROM applications a"
        " WHERE a.station = application_facts.station AND a.uuid = application_facts.uuid"
        " AND a.intake_mode != 'refused')",
        params,
    )
    facts = COLUMNS[2:]
    sets = ", ".join(f"{c} = excluded.{c}" for c in facts)
    changed = " OR ".join(f"application_facts.{c} {target.distinct} excluded.{c}" for c in facts)
    target.execute(
        f"INSERT INTO application_facts ({', '.join(COLUMNS)}) {_select(target.dialect, REOPENED)}"
        f" WHERE {scope.format(t='a.')} AND a.intake_mode != 'refused'"
        f" ON CONFLICT (station, uuid) DO UPDATE SET {sets} WHERE {changed}",
        params,
    )


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
        _compute(target, "{t}station = ?", (station,))
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
    _compute(target, f"{{t}}station = ? AND {{t}}uuid IN (SELECT uuid FROM {touched})", (station,))
