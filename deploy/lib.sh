# Sourced by the scripts in deploy/: where the connector is, its tools, and the settings file.
# SWO_ENV_FILE (optional) names a file of KEY=value lines (see deploy/swo.env.example), exported before
# anything runs; settings already in the environment win over the file.
set -euo pipefail
SWO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -n "${SWO_ENV_FILE:-}" ]; then
  [ -f "$SWO_ENV_FILE" ] || { echo "SWO_ENV_FILE=$SWO_ENV_FILE: no such file" >&2; exit 2; }
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}
    [ -z "${!key:-}" ] && export "$line"
  done < "$SWO_ENV_FILE"
fi
SWO_BIN=${SWO_VENV:-$SWO_ROOT/.venv}/bin
[ -x "$SWO_BIN/swo" ] || { echo "no connector at $SWO_BIN (run \`make install\` in $SWO_ROOT, or set SWO_VENV)" >&2; exit 2; }

die() { echo "$*" >&2; exit 2; }

require() {  # require NAME "what it is": exit with a clear line if the setting is missing
  [ -n "${!1:-}" ] || die "$1 is not set: $2"
}

require_postgresql() {  # require_postgresql NAME: the setting must name a PostgreSQL database
  case "${!1}" in
    postgresql*) ;;
    *) die "$1 must name a PostgreSQL database (postgresql://…): several workers cannot share a SQLite file" ;;
  esac
}
