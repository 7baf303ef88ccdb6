"""SQLite store: schema and migrations, the event log, its projection, backups and checks."""

from station_tui.store.database import Store, open_store
from station_tui.store.errors import ClockBehindError, StoreError

__all__ = ["ClockBehindError", "Store", "StoreError", "open_store"]
