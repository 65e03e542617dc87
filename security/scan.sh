#!/usr/bin/env bash
# Scanner sweep: sqlmap on the forms and wapiti on the whole site, against a throwaway instance on loopback.
#
# Creates a throwaway SQLite database with an invented couple (Alice Moreau and Bob Lindqvist, linked) and an
# unlinked Carol Nguyen, starts `gunicorn -k gevent -w 1` on 127.0.0.1, runs the scanners into
# security/scan-output/ (git-ignored), and stops everything. The scanners live in their own virtualenv
# (/tmp/cg-scanners by default), never in requirements.txt. Findings: see "Scanner sweep" in SECURITY.md.
#
#   make scan                      # or: security/scan.sh
#   SCAN_QUICK=1 make scan         # sqlmap on the login form only, wapiti for at most 2 minutes
#   SCAN_ONLY=wapiti make scan     # or SCAN_ONLY=sqlmap: one scanner
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${SCAN_PORT:-5099}"
BASE="http://127.0.0.1:$PORT"
OUT="security/scan-output"
TOOLS="${SCANNER_VENV:-/tmp/cg-scanners}"
WORK="$(mktemp -d /tmp/cg-scan-XXXXXX)"
PY=.venv/bin/python
rm -rf "$OUT" && mkdir -p "$OUT"

if [ ! -x "$TOOLS/bin/sqlmap" ] || [ ! -x "$TOOLS/bin/wapiti" ]; then
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet sqlmap wapiti3
fi
{ echo "sqlmap $("$TOOLS/bin/sqlmap" --version)"; echo "wapiti $("$TOOLS/bin/wapiti" --version 2>&1 | tail -1)"; } \
  | tee "$OUT/versions.txt"

export DATABASE_URL="sqlite:///$WORK/scan.sqlite" SECRET_KEY="scan-only-secret" QUICK_EXIT_URL="about:blank"
# Login throttling is on in production; here it would answer 429 to the scanners' thousands of tries.
export RATELIMIT_ENABLED=0 ARGON2_TIME_COST=1 ARGON2_MEMORY_KIB=8
.venv/bin/flask --app app db upgrade >"$WORK/migrate.log" 2>&1
$PY -m security.scan_world >"$WORK/world.env"
# shellcheck disable=SC1091
. "$WORK/world.env"   # COUPLE, PROMISE, DIALOGUE

.venv/bin/gunicorn -k gevent -w 1 -b "127.0.0.1:$PORT" 'app:create_app()' >"$OUT/server.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fs "$BASE/login" >/dev/null && break; sleep 0.2; done

cookie_of() {  # cookie_of EMAIL: sign in through the form, print the session cookie
  $PY -c "import sys; from tests.agreements.live_server import browser, cookie_header
class S: url = sys.argv[1]
print(cookie_header(browser(S, sys.argv[2], 'lantern-orchard-47')))" "$BASE" "$1"
}
ALICE="$(cookie_of alice.scan@example.org)"
CAROL="$(cookie_of carol.scan@example.org)"

sqlmap_form() {  # sqlmap_form NAME URL FORM-PAGE DATA [COOKIE] [TOKEN-FIELD]
  local name=$1 url=$2 page=$3 data=$4 cookie=${5:-} token=${6:-csrf_token}
  echo "== sqlmap $name: POST $url ($data)"
  # A wrong invitation code or a finished dialogue answer 404/409: keep testing instead of stopping there.
  "$TOOLS/bin/sqlmap" -u "$BASE$url" --data "$data&$token=x" --csrf-token="$token" --csrf-url="$BASE$page" \
    ${cookie:+--cookie="$cookie"} --skip="$token" --ignore-code=404,409 --batch --level=1 --risk=1 --dbms=SQLite \
    --flush-session --output-dir="$OUT/sqlmap" >"$OUT/sqlmap-$name.log" 2>&1 || true
  grep -E "is vulnerable|might be injectable|appears to be .* injectable|all tested parameters|CRITICAL" \
    "$OUT/sqlmap-$name.log" | sed 's/^/   /' | sort -u | head -12
  sed -n '/HTTP error codes detected/,/^$/p' "$OUT/sqlmap-$name.log" | sed 's/^/   /'
}

if [ "${SCAN_ONLY:-}" != wapiti ]; then
  sqlmap_form login /login /login "email=alice.scan%40example.org&password=secret123"
  if [ -z "${SCAN_QUICK:-}" ]; then
    sqlmap_form signup /signup /signup \
      "email=dan.scan%40example.org&display_name=Dan&password=a-long-pass-9&confirm=a-long-pass-9&time_zone=UTC"
    sqlmap_form join /join /join "code=ABCD-EFGH" "$CAROL"
    sqlmap_form profile /account/profile /account "me-display_name=Alice&me-time_zone=Europe%2FParis" "$ALICE" \
      me-csrf_token
    sqlmap_form promise "/ledger/$COUPLE/promises" "/ledger/$COUPLE" "text=Walk&kind=daily&starts_on=&agreement=" \
      "$ALICE"
    sqlmap_form deposit "/ledger/promises/$PROMISE/deposits" "/ledger/$COUPLE" "on=&note=kept" "$ALICE"
    sqlmap_form dialogue-act "/dialogue/$DIALOGUE/act" "/dialogue/$DIALOGUE" "index=1&action=withdraw&text=" "$ALICE"
    sqlmap_form dialogue-start /dialogue/ /dialogue/ "topic=Our+evenings" "$ALICE"
    sqlmap_form reflection /reflection /reflection "prompt=hurt_them&body=Today+I+noticed" "$ALICE"
  fi
fi

if [ "${SCAN_ONLY:-}" != sqlmap ]; then
  echo "== wapiti (signed in as Alice; sign-out, quick exit, unlink, password change and account deletion excluded)"
  # At most 45 s per module: exec and file send time-based payloads that otherwise run for more than 10 minutes.
  "$TOOLS/bin/wapiti" -u "$BASE/" --scope folder -C "$ALICE" --flush-session \
    -m "http_headers,csp,cookieflags,csrf,methods,sql,xss,permanentxss,redirect,crlf,exec,file" \
    --max-attack-time 45 --max-scan-time "$([ -n "${SCAN_QUICK:-}" ] && echo 120 || echo 900)" \
    -x "$BASE/logout" -x "$BASE/quick-exit" -x "$BASE/unlink" -x "$BASE/account/delete" \
    -x "$BASE/account/password" -x "$BASE/sessions/*" -f txt -o "$OUT/wapiti.txt" >"$OUT/wapiti.log" 2>&1 || true
  sed -n '/^Summary of vulnerabilities/,/^\*\*\*\*\*/p' "$OUT/wapiti.txt" 2>/dev/null | grep -v ":   0$" | head -40 || true
fi
if grep -q "Traceback\|Error" "$OUT/server.log"; then echo "The server logged errors: see $OUT/server.log"; fi
echo "Reports: $OUT/"
