#!/usr/bin/env bash
# Makes a corpus of database pages: PostgreSQL relation files after a pgbench run.
#   scripts/db-corpus.sh [OUT] [SCALE] [TRANSACTIONS]
#     OUT           corpus file to write (default: target/corpus/pgbench.pages)
#     SCALE         pgbench scale factor; each unit is ~15 MiB of relation files (default: 4)
#     TRANSACTIONS  pgbench transactions per client after the load, 4 clients (default: 5000)
# The pages are what a data system keeps in memory: heap tuples, B-tree indexes, free space maps,
# partly filled by updates. The server runs from a throwaway data directory, listens on a Unix
# socket in that directory only (no TCP), and is stopped and deleted when the script ends.
# Installs Debian's postgresql when it is missing and the script runs as root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/target/corpus/pgbench.pages}
SCALE=${2:-4}
TRANSACTIONS=${3:-5000}

die() { echo "db-corpus: $*" >&2; exit 2; }
[[ $SCALE =~ ^[1-9][0-9]*$ ]] || die "SCALE must be a positive integer, was '$SCALE'"
[[ $TRANSACTIONS =~ ^[0-9]+$ ]] || die "TRANSACTIONS must be a non-negative integer, was '$TRANSACTIONS'"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
BIN=$(find_bin)
if [ -z "$BIN" ] || [ ! -x "$BIN/pgbench" ]; then
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed; install Debian's 'postgresql' (it brings pgbench)"
  echo "db-corpus: installing postgresql..." >&2
  (apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; })
  BIN=$(find_bin)
  [ -n "$BIN" ] && [ -x "$BIN/pgbench" ] || die "installing postgresql did not bring pgbench"
fi

# The server refuses to run as root: run it as the 'postgres' user the package creates.
AS=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
  AS=(runuser -u postgres --)
fi

WORK=$(mktemp -d /tmp/tmem4j-db-corpus.XXXXXX)
chmod 0700 "$WORK"  # the socket lives here: only the server's user can reach it
[ ${#AS[@]} -eq 0 ] || chown postgres "$WORK"
PGDATA=$WORK/data
cleanup() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"${AS[@]}" "$BIN/initdb" -D "$PGDATA" -U postgres --no-sync -A trust >/dev/null  # trust is safe: the socket directory is private
"${AS[@]}" "$BIN/pg_ctl" -D "$PGDATA" -w -l "$WORK/server.log" \
  -o "-c listen_addresses='' -c unix_socket_directories=$WORK -c fsync=off -c shared_buffers=64MB" start >/dev/null
PG=(-h "$WORK" -U postgres)

echo "db-corpus: pgbench -i -s $SCALE, then $TRANSACTIONS transactions x 4 clients..." >&2
"${AS[@]}" "$BIN/createdb" "${PG[@]}" bench
"${AS[@]}" "$BIN/pgbench" "${PG[@]}" -q -i -s "$SCALE" bench >/dev/null 2>&1
if [ "$TRANSACTIONS" -gt 0 ]; then
  "${AS[@]}" "$BIN/pgbench" "${PG[@]}" -c 4 -j 2 -t "$TRANSACTIONS" bench >/dev/null 2>&1
fi
"${AS[@]}" "$BIN/psql" "${PG[@]}" -qAt -d bench -c 'CHECKPOINT' >/dev/null
OID=$("${AS[@]}" "$BIN/psql" "${PG[@]}" -qAt -d bench -c "SELECT oid FROM pg_database WHERE datname = 'bench'")
"${AS[@]}" "$BIN/pg_ctl" -D "$PGDATA" -w stop >/dev/null

# Relation files hold 8 KiB pages, so their concatenation is a whole number of 4 KiB pages.
mkdir -p "$(dirname "$OUT")"
find "$PGDATA/base/$OID" -type f -regex '.*/[0-9]+\(_fsm\|_vm\)?\(\.[0-9]+\)?' -size +0 -print0 \
  | sort -z | xargs -0 cat > "$OUT"
BYTES=$(stat -c %s "$OUT")
echo "db-corpus: wrote $OUT: $((BYTES / 4096)) pages of 4 KiB from $(find "$PGDATA/base/$OID" -type f -size +0 | wc -l) relation files" >&2
echo "$OUT"
