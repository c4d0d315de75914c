#!/usr/bin/env bash
# Runs the FastAPI full-stack template's own backend tests, unchanged, against this server.
#
#   scripts/template-suite.sh <template-checkout> [pytest arguments...]
#
# <template-checkout> is a clone of fastapi/full-stack-fastapi-template (its tests in backend/tests, or
# backend/app/tests in older versions). This script:
#   1. starts our production build (`npm run build` first) on a free port with a temporary data folder,
#      the documented setting API_COMPAT=fastapi-template with EMAIL_VERIFICATION=off (docs/fastapi-template.md)
#      and the template's .env values (FIRST_SUPERUSER, FIRST_SUPERUSER_PASSWORD, ENVIRONMENT); no SMTP_HOST,
#      so mail lands in the data folder's outbox;
#   2. makes a Python virtualenv (cached in ~/.cache/signin-system/template-suite-venv) with pytest,
#      fastapi, sqlmodel, httpx, bcrypt and PyJWT from pip (and pwdlib when the index has it);
#   3. copies the template's tests beside our stand-in `app` package (compat/fastapi-template/app), whose
#      `app.main.app` forwards every request to the server, and runs pytest on them, less the two tests of
#      the template's own bcrypt → argon2 hash upgrade (our server keeps bcrypt hashes);
#   4. stops the server and removes the temporary folder. Exit status: pytest's.
# Not part of `npm test`: CI machines have no template checkout. See docs/fastapi-template.md.
set -euo pipefail

if [[ $# -lt 1 || ! -d "$1" ]]; then
  echo "usage: $0 <path-to-full-stack-fastapi-template-checkout> [pytest arguments...]" >&2
  exit 2
fi
TEMPLATE="$(cd "$1" && pwd)"
shift
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -d "$TEMPLATE/backend/tests" ]]; then
  TESTS="$TEMPLATE/backend/tests" LAYOUT=tests
elif [[ -d "$TEMPLATE/backend/app/tests" ]]; then
  TESTS="$TEMPLATE/backend/app/tests" LAYOUT=app/tests
else
  echo "$TEMPLATE has neither backend/tests nor backend/app/tests" >&2
  exit 2
fi
if [[ ! -f .next/BUILD_ID ]]; then
  echo "No production build: run 'npm run build' first." >&2
  exit 2
fi

# The template's own settings, from its .env when present (its defaults otherwise).
env_value() {
  local name=$1 default=$2 line
  line=$(grep -E "^${name}=" "$TEMPLATE/.env" 2>/dev/null | tail -n 1 || true)
  line=${line#*=}
  line=${line%\"}; line=${line#\"}; line=${line%\'}; line=${line#\'}
  echo "${line:-$default}"
}
FIRST_SUPERUSER=$(env_value FIRST_SUPERUSER admin@example.com)
FIRST_SUPERUSER_PASSWORD=$(env_value FIRST_SUPERUSER_PASSWORD changethis)
ENVIRONMENT=$(env_value ENVIRONMENT local)
SECRET_KEY=$(env_value SECRET_KEY changethis)
export FIRST_SUPERUSER FIRST_SUPERUSER_PASSWORD ENVIRONMENT SECRET_KEY

WORK=$(mktemp -d "${TMPDIR:-/tmp}/template-suite.XXXXXX")
DATA="$WORK/data"
mkdir -p "$DATA"
PORT=${TEMPLATE_SUITE_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# 1. The server: only the documented settings and the template's values; none of the shell's own.
echo "Starting the server on http://127.0.0.1:$PORT (data: $DATA, log: $WORK/server.log)"
setsid env -u SMTP_HOST -u SMTP_PORT -u SMTP_USER -u SMTP_PASSWORD -u DATABASE_URL -u AUTH_SECRET \
  PORT="$PORT" HOSTNAME=127.0.0.1 DATA_DIR="$DATA" API_COMPAT=fastapi-template EMAIL_VERIFICATION=off WEB_CONCURRENCY=1 \
  node --import tsx scripts/start.ts >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 240); do
  curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; echo "The server exited." >&2; exit 1; }
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

# 2. Python: the template's test dependencies, not its backend.
VENV=${TEMPLATE_SUITE_VENV:-$HOME/.cache/signin-system/template-suite-venv}
if [[ ! -x "$VENV/bin/pytest" ]] || ! "$VENV/bin/python" -c 'import jwt' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pytest httpx fastapi sqlmodel "pydantic[email]" bcrypt pyjwt
  # Newer template tests import pwdlib; an index without it gets our stand-in (step 3).
  "$VENV/bin/pip" install --quiet pwdlib 2>/dev/null || true
fi

# 3. The template's tests, unchanged, beside our `app`.
cp -r compat/fastapi-template/app "$WORK/app"
"$VENV/bin/python" -c 'import pwdlib' 2>/dev/null || cp -r compat/fastapi-template/pwdlib "$WORK/pwdlib"
if [[ $LAYOUT == tests ]]; then cp -r "$TESTS" "$WORK/tests"; else cp -r "$TESTS" "$WORK/app/tests"; fi
# The template's own password hashing (pwdlib's bcrypt → argon2 upgrade on login), not an API answer:
# our server stores bcrypt hashes and keeps them (docs/fastapi-template.md).
HASH_UPGRADE_TESTS=(
  "$LAYOUT/api/routes/test_login.py::test_login_with_bcrypt_password_upgrades_to_argon2"
  "$LAYOUT/api/routes/test_login.py::test_login_with_argon2_password_keeps_hash"
)
cd "$WORK"
set +e
SIGNIN_SERVER_URL="http://127.0.0.1:$PORT" SIGNIN_DATA_DIR="$DATA" \
  "$VENV/bin/python" -m pytest -p no:cacheprovider --rootdir "$WORK" -o testpaths="$LAYOUT" \
  "${HASH_UPGRADE_TESTS[@]/#/--deselect=}" "$@"
STATUS=$?
set -e
cd "$ROOT"
exit $STATUS
