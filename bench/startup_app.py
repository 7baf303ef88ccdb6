"""station-tui from process start to its first screen ready for input (the login screen, operators listed)."""

import sys
from pathlib import Path

from station_tui.app import StationApp

if __name__ == "__main__":
    app = StationApp(Path(sys.argv[1]), exit_when_ready=True)
    app.run(headless=True)
    sys.exit(app.return_code or 0)
