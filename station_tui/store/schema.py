"""The schema, as numbered migrations. PRAGMA user_version holds the number of the last one applied.

`events` is the one truth; every other table except `meta` is its projection (see projection.py) and can be rebuilt.
Every projected record carries a UUID and the device that created it, so two devices' data merge without collisions.
"""

from __future__ import annotations

# Migration 1's trigger that keeps the log append-only (an event is never changed), made again after each fill below.
_NO_UPDATE = """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
           BEGIN SELECT RAISE(ABORT, '事件日志只能追加，不能修改'); END"""
# temp.export_forms (seq, form as JSON [at, text]) written into the log (migrations 7 and 8): the log stays append-only,
# its trigger is lifted only for this one fill.
_FILL_EXPORT_FORMS = [
    "DROP TRIGGER events_no_update",
    """UPDATE events SET
               export_at = (SELECT json_extract(form, '$[0]') FROM temp.export_forms f WHERE f.seq = events.seq),
               export_text = (SELECT json_extract(form, '$[1]') FROM temp.export_forms f WHERE f.seq = events.seq)
           WHERE seq IN (SELECT seq FROM temp.export_forms)""",
    _NO_UPDATE,
    "DROP TABLE temp.export_forms",
]

# A migration is a list of statements. Never edit one that has shipped: add the next.
MIGRATIONS: list[list[str]] = [
    # 1: the foundation
    [
        # Facts about this file on this machine, not about the station: never exported, never merged.
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE events (
            seq INTEGER PRIMARY KEY,              -- local arrival order; the order the projection replays
            uuid TEXT NOT NULL UNIQUE,
            device TEXT NOT NULL,
            device_seq INTEGER NOT NULL,          -- per device, from 1, without gaps
            type TEXT NOT NULL,
            application TEXT,
            payload TEXT NOT NULL,                -- JSON object
            recorded_at TEXT NOT NULL,            -- ISO 8601 with +08:00, from the system clock
            operator TEXT,
            simulated INTEGER NOT NULL DEFAULT 0, -- 1: demo history or ledger import, not the time of entry
            UNIQUE (device, device_seq)
        )""",
        "CREATE INDEX events_application ON events (application, seq)",
        "CREATE INDEX events_device_real ON events (device, simulated, recorded_at)",
        "CREATE INDEX events_type ON events (type, seq)",
        # The seeds forbid back-dating and re-running processes: an event is never changed or removed.
        _NO_UPDATE,
        """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
           BEGIN SELECT RAISE(ABORT, '事件日志只能追加，不能删除'); END""",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE operators (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
            phone TEXT NOT NULL, pin_salt TEXT NOT NULL, pin_hash TEXT NOT NULL, active INTEGER NOT NULL,
            failed_logins INTEGER NOT NULL, locked_until TEXT, created_at TEXT NOT NULL
        )""",
        """CREATE TABLE applications (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, number TEXT NOT NULL UNIQUE,
            business_type TEXT NOT NULL, intake_mode TEXT NOT NULL, status TEXT NOT NULL,
            customer_name TEXT NOT NULL, id_type TEXT NOT NULL, id_number TEXT NOT NULL, phone TEXT NOT NULL,
            address TEXT NOT NULL, capacity_kw REAL NOT NULL, voltage TEXT NOT NULL, channel TEXT NOT NULL,
            dual_supply INTEGER NOT NULL, supporting_works INTEGER NOT NULL, small_micro INTEGER NOT NULL,
            three_zero INTEGER NOT NULL, important INTEGER NOT NULL, agent INTEGER NOT NULL,
            distribution_upgrade INTEGER NOT NULL, flags_reason TEXT NOT NULL,
            profile TEXT NOT NULL, category TEXT NOT NULL, limit_days INTEGER NOT NULL, limit_unit TEXT NOT NULL,
            customer_manager TEXT, current_stage INTEGER,
            accepted_at TEXT NOT NULL, accepted_date TEXT NOT NULL,
            due_date TEXT NOT NULL, due_estimated INTEGER NOT NULL,
            paused_at TEXT, pause_reason TEXT, finished_at TEXT, finish_reason TEXT,
            simulated INTEGER NOT NULL
        )""",
        "CREATE INDEX applications_status_due ON applications (status, due_date)",
        "CREATE INDEX applications_accepted_date ON applications (accepted_date)",
        """CREATE TABLE documents (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL,
            application TEXT NOT NULL REFERENCES applications (uuid),
            doc_key TEXT NOT NULL, name TEXT NOT NULL, form TEXT, copy_kind TEXT,
            status TEXT NOT NULL, received_at TEXT,
            assigned_to TEXT, collect_at_stage TEXT, collected_at TEXT, collected_by TEXT
        )""",
        "CREATE INDEX documents_application ON documents (application)",
        "CREATE INDEX documents_status ON documents (status)",
        """CREATE TABLE stages (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL,
            application TEXT NOT NULL REFERENCES applications (uuid),
            position INTEGER NOT NULL, name TEXT NOT NULL, limit_days INTEGER, customer_side INTEGER NOT NULL,
            started_at TEXT, finished_at TEXT,
            UNIQUE (application, position)
        )""",
        """CREATE TABLE pauses (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL,
            application TEXT NOT NULL REFERENCES applications (uuid),
            reason TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, paused_workdays INTEGER
        )""",
        "CREATE INDEX pauses_application ON pauses (application)",
        """CREATE TABLE notices (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, application TEXT, serial TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL, content TEXT NOT NULL, issued_at TEXT NOT NULL, operator TEXT,
            replaces TEXT, reprints INTEGER NOT NULL
        )""",
        """CREATE TABLE reservations (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, customer_name TEXT NOT NULL, phone TEXT NOT NULL,
            address TEXT NOT NULL, business_type TEXT NOT NULL, channel TEXT NOT NULL, received_at TEXT NOT NULL,
            status TEXT NOT NULL, application TEXT
        )""",
        """CREATE TABLE exports (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, finished_at TEXT NOT NULL, folder TEXT NOT NULL,
            first_seq INTEGER, last_seq INTEGER, rows INTEGER NOT NULL, full INTEGER NOT NULL
        )""",
        """CREATE TABLE holiday_days (
            date TEXT PRIMARY KEY, year INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL
        )""",
        """CREATE TABLE holiday_years (
            year INTEGER PRIMARY KEY, entered_at TEXT NOT NULL, operator TEXT
        )""",
    ],
    # 2: refused visits, reservations' clocks and conversion, archive filing, inspections, ledger imports, search indexes
    [
        # A counter visit that could not be accepted (no identity/subject proof): recorded, never an application.
        """CREATE TABLE visits (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, business_type TEXT NOT NULL, customer_name TEXT NOT NULL,
            phone TEXT NOT NULL, reason TEXT NOT NULL, received TEXT NOT NULL, recorded_at TEXT NOT NULL,
            operator TEXT, reservation TEXT
        )""",
        "ALTER TABLE reservations ADD COLUMN bring TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE reservations ADD COLUMN visit TEXT",
        "ALTER TABLE reservations ADD COLUMN registered_by TEXT",
        "ALTER TABLE reservations ADD COLUMN handled_at TEXT",
        "ALTER TABLE reservations ADD COLUMN handled_by TEXT",
        "ALTER TABLE reservations ADD COLUMN converted_at TEXT",
        "CREATE INDEX reservations_status ON reservations (status, received_at)",
        # counter / ledger: where the application came from (a ledger import keeps the ledger's acceptance time).
        "ALTER TABLE applications ADD COLUMN origin TEXT NOT NULL DEFAULT 'counter'",
        # 附件2 archive items filed for an application (items backed by documents are read from `documents`).
        """CREATE TABLE archive_filed (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, application TEXT NOT NULL REFERENCES applications (uuid),
            stage TEXT NOT NULL, item TEXT NOT NULL, filed_at TEXT NOT NULL, operator TEXT,
            UNIQUE (application, stage, item)
        )""",
        # 竣工检验: one row per inspection, one per defect found (the 竣工检验意见单 lists them).
        """CREATE TABLE inspections (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, application TEXT NOT NULL REFERENCES applications (uuid),
            recorded_at TEXT NOT NULL, operator TEXT, passed INTEGER NOT NULL
        )""",
        "CREATE INDEX inspections_application ON inspections (application, recorded_at)",
        """CREATE TABLE inspection_defects (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, inspection TEXT NOT NULL REFERENCES inspections (uuid),
            application TEXT NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL
        )""",
        "CREATE INDEX inspection_defects_inspection ON inspection_defects (inspection, position)",
        """CREATE TABLE imports (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, file TEXT NOT NULL, imported INTEGER NOT NULL,
            skipped INTEGER NOT NULL, recorded_at TEXT NOT NULL, operator TEXT
        )""",
        # Search: each kind of search is one index range (see services/search.py); the last 4-6 characters of an
        # identity number through expression indexes, so that no extra column has to be kept in step.
        "CREATE INDEX applications_phone ON applications (phone)",
        "CREATE INDEX applications_id_number ON applications (id_number)",
        "CREATE INDEX applications_id_tail4 ON applications (substr(id_number, -4))",
        "CREATE INDEX applications_id_tail5 ON applications (substr(id_number, -5))",
        "CREATE INDEX applications_id_tail6 ON applications (substr(id_number, -6))",
        "CREATE INDEX applications_name ON applications (customer_name)",
        "CREATE INDEX documents_assigned ON documents (assigned_to, status)",
    ],
    # 3: an application's documents by status in one index range. With separate indexes on application and on status
    # SQLite chose the status one for "this application's deferred documents" and read every deferred document in
    # the station: 20 ms a call at 200,000 applications.
    [
        "DROP INDEX documents_application",
        "CREATE INDEX documents_application_status ON documents (application, status)",
        # The status line counts open applications whose due date rests on an estimated calendar at every start:
        # a partial index holds only those few rows.
        "CREATE INDEX applications_estimated ON applications (status) WHERE due_estimated = 1",
    ],
    # 4: each event says its payload version and the program version that can read it (store/catalogue.py), so that
    # a laptop, another station or the county refuses what it does not know instead of misreading it. Every event
    # recorded before this migration is version 1 of its type, readable by station-tui 0.1.0.
    [
        "ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE events ADD COLUMN needs_program TEXT NOT NULL DEFAULT '0.1.0'",
    ],
    # 5: field work (services/field_bundle.py): laptops' device codes, applications out on a laptop, and transitions
    # two devices made from the same state without knowing of each other (kept both, flagged for the 站长).
    [
        """CREATE TABLE devices (
            code TEXT PRIMARY KEY, manager TEXT NOT NULL, bundle TEXT NOT NULL, registered_at TEXT NOT NULL,
            operator TEXT
        )""",
        """CREATE TABLE leases (
            application TEXT NOT NULL, bundle TEXT NOT NULL, manager TEXT NOT NULL, device_code TEXT NOT NULL,
            leased_at TEXT NOT NULL, returned_at TEXT, returned_events INTEGER,
            PRIMARY KEY (application, bundle)
        )""",
        "CREATE INDEX leases_open ON leases (device_code, returned_at)",
        """CREATE TABLE conflicts (
            event TEXT PRIMARY KEY, application TEXT NOT NULL, device TEXT NOT NULL, type TEXT NOT NULL,
            from_state TEXT NOT NULL, found_state TEXT NOT NULL, others TEXT NOT NULL
        )""",
        "CREATE INDEX conflicts_application ON conflicts (application)",
    ],
    # 6: station duties (issue 16): supporting grid works on an application (配套工程, with its own due date), the
    # 站长's review of each termination, and follow-up calls (回访) to connected customers.
    [
        """CREATE TABLE supporting_works (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, application TEXT NOT NULL REFERENCES applications (uuid),
            voltage TEXT NOT NULL, item TEXT NOT NULL, project_manager TEXT NOT NULL, limit_days INTEGER NOT NULL,
            contract_date TEXT NOT NULL, customer_completion TEXT NOT NULL, due_date TEXT NOT NULL,
            due_estimated INTEGER NOT NULL, recorded_at TEXT NOT NULL, operator TEXT
        )""",
        "CREATE INDEX supporting_works_application ON supporting_works (application)",
        """CREATE TABLE termination_reviews (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, application TEXT NOT NULL REFERENCES applications (uuid),
            outcome TEXT NOT NULL, reason TEXT NOT NULL, reviewed_at TEXT NOT NULL, operator TEXT
        )""",
        "CREATE INDEX termination_reviews_application ON termination_reviews (application, reviewed_at)",
        """CREATE TABLE followup_calls (
            uuid TEXT PRIMARY KEY, device TEXT NOT NULL, application TEXT NOT NULL REFERENCES applications (uuid),
            reached INTEGER NOT NULL, satisfied INTEGER, extra_documents INTEGER NOT NULL, fee_asked INTEGER NOT NULL,
            second_visit INTEGER NOT NULL, said TEXT NOT NULL, complaint INTEGER NOT NULL, follow_up TEXT NOT NULL,
            called_at TEXT NOT NULL, operator TEXT
        )""",
        "CREATE INDEX followup_calls_application ON followup_calls (application, called_at)",
    ],
    # 7: each event's export form (store/masking.py): what the export writes instead of its payload when personal
    # data is not included (secrets dropped, personal data masked), as the stretch that differs and where it starts
    # (NULL, NULL: the payload itself). Made once as the event is written (store/append.py), not at every export;
    # here for the events already in the log, by the SQL function `export_form` (registered on the connection that
    # migrates). The log stays append-only: its trigger is lifted only for this one fill.
    [
        "ALTER TABLE events ADD COLUMN export_at INTEGER",
        "ALTER TABLE events ADD COLUMN export_text TEXT",
        "CREATE TEMP TABLE export_forms (seq INTEGER PRIMARY KEY, form TEXT NOT NULL)",
        # LIMIT -1 keeps the subquery whole, so that export_form runs once per event.
        """INSERT INTO temp.export_forms
           SELECT seq, form FROM (SELECT seq, export_form(payload) AS form FROM events LIMIT -1) WHERE form IS NOT NULL""",
        *_FILL_EXPORT_FORMS,
    ],
    # 8: the masks now read numbers typed in full-width digits (store/masking.py): the export forms of the events
    # whose payload holds such a character are made again, by the same function as in 7. Before, a mobile a clerk
    # typed as １３９… into a reason left the station unmasked.
    [
        "CREATE TEMP TABLE export_forms (seq INTEGER PRIMARY KEY, form TEXT)",
        """INSERT INTO temp.export_forms
           SELECT seq, export_form(payload) FROM events WHERE holds_wide(CAST(payload AS BLOB))""",
        *_FILL_EXPORT_FORMS,
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)

# Tables rebuilt from the events; `check` compares each of them.
PROJECTION_TABLES = (
    "settings",
    "operators",
    "applications",
    "documents",
    "stages",
    "pauses",
    "notices",
    "reservations",
    "exports",
    "holiday_days",
    "holiday_years",
    "visits",
    "archive_filed",
    "inspections",
    "inspection_defects",
    "imports",
    "devices",
    "leases",
    "conflicts",
    "supporting_works",
    "termination_reviews",
    "followup_calls",
)
