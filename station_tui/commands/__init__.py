"""Command-line commands of each area, registered on the main group in station_tui/cli.py."""
