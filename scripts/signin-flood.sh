#!/usr/bin/env bash
# Load script for issue 13 item 2: bad sign-ins sent at once must not exhaust the server's memory,
# and a person signing in meanwhile must get in. It builds pactum, starts it on a new SQLite
# database without the demo, and sends two floods of N simultaneous bad sign-ins (default 200):
#   A. all from one client address (127.0.0.1), each with another unknown name;
#   B. each from its own address (127.0.1.1, 127.0.1.2, …), so that no throttle stops them and
#      only the bound on concurrent password hashing protects the memory.
# During each, the administrator signs in with the right password from another address, and
# retries after Retry-After when told the server is busy. It prints the answers' statuses, the
# good sign-in's outcome and the server's peak resident memory (VmHWM) after each flood.
# Traffic goes to 127.0.0.0/8 only. Usage: scripts/signin-flood.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
port=${PACTUM_FLOOD_PORT:-18093}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/pactum" ./cmd/pactum
PACTUM_ADMIN_PASSWORD=flood-test-password-1 PACTUM_LOG_LEVEL=error \
  "$work/pactum" serve --demo=false --data "$work/data" --addr "127.0.0.1:$port" >"$work/out" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$base/healthz" >/dev/null || { echo "pactum did not start:"; cat "$work/out"; exit 1; }

kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
echo "pactum pid $pid; resident at start: $(( $(kib VmRSS) / 1024 )) MiB"

# good_sign_in FROM: signs in as admin from address FROM, retrying after Retry-After (up to 6 tries).
good_sign_in() {
  local from=$1 start=$SECONDS try code retry
  for try in 1 2 3 4 5 6; do
    code=$(curl -s -o /dev/null -D "$work/good-headers" -w '%{http_code}' --interface "$from" \
      -d username=admin -d password=flood-test-password-1 "$base/login")
    if [[ $code == 303 ]]; then
      echo "good sign-in from $from: signed in (303) after $try attempt(s), $((SECONDS - start)) s"
      return
    fi
    retry=$(awk 'tolower($1) == "retry-after:" {print $2+0}' "$work/good-headers")
    echo "good sign-in from $from: attempt $try answered $code, Retry-After ${retry:-none}"
    sleep "${retry:-5}"
  done
  echo "good sign-in from $from: FAILED"
}

# flood NAME ADDRESS_OF_I: N bad sign-ins at once; ADDRESS_OF_I maps i to the client address.
flood() {
  local name=$1
  echo "== flood $name: $n simultaneous bad sign-ins"
  : >"$work/codes"
  for i in $(seq "$n"); do
    curl -s -o /dev/null -w '%{http_code}\n' --interface "$("$2" "$i")" \
      -d "username=nobody-$name-$i" -d password=guess "$base/login" >>"$work/codes" &
  done
  sleep 0.5
  good_sign_in "$3"
  wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
  echo "answers: $(sort "$work/codes" | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
  echo "peak resident memory so far (VmHWM): $(( $(kib VmHWM) / 1024 )) MiB; now $(( $(kib VmRSS) / 1024 )) MiB"
}
one_address() { echo 127.0.0.1; }
own_address() { echo "127.0.$(( 1 + ($1 - 1) / 250 )).$(( 1 + ($1 - 1) % 250 ))"; }
flood A one_address 127.0.0.2
flood B own_address 127.0.0.3
