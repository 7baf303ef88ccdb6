from station_tui.cli import main

# The Windows offline bundle starts the app as `python.exe -m station_tui` (station-tui.cmd): name it as the clerk
# types it, not "python -m station_tui", in usage lines and errors.
main(prog_name="station-tui")
