from station_tui.cli import main

main()
