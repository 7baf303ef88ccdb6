# Sourced by .ci/run: a throwaway PostgreSQL server for the county tests (tests/test_county*.py), on the loopback
# address with a free port, in a temporary data directory, as the `postgres` user (the server refuses to run as root).
# Exports STATION_TUI_TEST_PG; stops the server and removes the directory on exit. Without root (a developer's
# machine) it starts nothing and the PostgreSQL tests say they were skipped and why.
if [ "$(id -u)" = 0 ]; then
    if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PG_DIR=$(mktemp -d)
    chown postgres "$PG_DIR"
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -p $PG_PORT -c fsync=off" start >/dev/null
    # shellcheck disable=SC2064
    trap "runuser -u postgres -- '$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m fast -w stop >/dev/null; rm -rf '$PG_DIR'" EXIT
    export STATION_TUI_TEST_PG="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
fi
