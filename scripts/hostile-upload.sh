#!/usr/bin/env bash
# Load script for issue 13 item 3: hostile workbooks posted to the partner import must be refused
# within seconds while the server stays small. It writes the hostile fixtures of the importer's
# tests (zip bombs, a 1 GiB cell, huge rows, bad text, …), builds pactum, starts it on a new SQLite
# database without the demo, signs in as the administrator and posts each file to
# /partners/import, printing the answer, its time and the server's peak resident memory (VmHWM).
# Traffic goes to 127.0.0.1 only. Usage: scripts/hostile-upload.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PACTUM_HOSTILE_PORT:-18094}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; [[ -n ${PACTUM_KEEP:-} ]] && cat "$work/out"; rm -rf "$work"' EXIT
PACTUM_XLSX_FIXTURES="$work/files" go test ./internal/importer/ -run WriteHostileFixtures -count=1 >/dev/null
go build -o "$work/pactum" ./cmd/pactum
PACTUM_ADMIN_PASSWORD=hostile-test-password-1 PACTUM_LOG_LEVEL=error \
  "$work/pactum" serve --demo=false --data "$work/data" --addr "127.0.0.1:$port" >"$work/out" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$base/healthz" >/dev/null || { echo "pactum did not start:"; cat "$work/out"; exit 1; }
jar="$work/cookies"
curl -s -o /dev/null -c "$jar" -d username=admin -d password=hostile-test-password-1 "$base/login"
kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
echo "resident at start: $(( $(kib VmRSS) / 1024 )) MiB"
for f in "$work"/files/*.xlsx; do
  cp "$f" "$work/upload.xlsx" # curl -F reads commas and semicolons in a file name
  start=$(date +%s.%N)
  code=$(curl -s -o "$work/page" -w '%{http_code}' -b "$jar" -F "file=@$work/upload.xlsx" "$base/partners/import" || true)
  took=$(echo "$(date +%s.%N) - $start" | bc)
  # The reason shown to the person: the first problem listed on the page.
  reason=$( (grep -o '<p class="field-error"[^>]*>[^<]*\|<td>[^<]*</td>' "$work/page" || true) | sed 's/<[^>]*>//g' | grep -v '^[0-9]*$' | head -n1 | cut -c1-80 || true)
  printf '%-62s %s %5.2fs peak %4d MiB  %s\n' "$(basename "$f")" "$code" "$took" $(( $(kib VmHWM) / 1024 )) "$reason"
done
