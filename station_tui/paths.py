"""Where reference data and the database live."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "station-tui"
DB_ENV = "STATION_TUI_DB"


def data_dir() -> Path:
    """The reference data folder: inside the package when installed, beside it in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "data"
    return installed if installed.is_dir() else here.parent / "data"


def default_db_path() -> Path:
    """The database path when no --db is given: STATION_TUI_DB, else the platform's user data folder."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    import platformdirs  # only when no path is given: it is slow to import

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "station.db"
