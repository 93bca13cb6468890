#!/usr/bin/env bash
# The README's quick start: installs what is missing, builds dist/pipcanary, starts the bundled demo
# index on 127.0.0.1 and runs the binary on each demo project, one per verdict. Exits 0 only when
# every project got its expected exit code. Usage: bash demo/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

projects=(safe behavioural static audit-vulnerable audit-recent)
expected=(0 5 5 4 4)
shows=(
  "a wheel and an sdist that behave: all packages pass the static scan, install, import and audit"
  "a wheel whose import reads ~/.ssh/id_rsa through a path no static scan can see: the sandbox catches the read and kills the run"
  "a wheel with a .pth hook that executes base64-decoded code: the static scan blocks it before anything is installed or imported"
  "a harmless package pinned to a release with a known vulnerability: the audit names it and the fixed version"
  "a harmless package whose newest release was uploaded yesterday: the cool-down check suggests the older release"
)

work=$(mktemp -d "${TMPDIR:-/tmp}/pipcanary-quickstart-XXXXXX")
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

rule() { printf '%*s\n' 78 '' | tr ' ' '='; }

rule
echo "pipcanary quick start: setup, build, demo index, one scan per verdict"
rule
bash scripts/setup.sh
npm run build --silent

# The index prints its URL as the first line on stdout once it listens.
node_modules/.bin/bun demo/serve.ts >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  if [ "$(wc -l <"$work/serve.out")" -ge 1 ]; then
    url=$(head -n 1 "$work/serve.out")
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "quickstart: the demo index did not start:" >&2
    cat "$work/serve.err" >&2
    exit 2
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "quickstart: the demo index printed no URL within 30 s:" >&2
  cat "$work/serve.err" >&2
  exit 2
fi
echo "Demo index: $url ($(cat "$work/serve.err"))"

got=()
for i in "${!projects[@]}"; do
  project=${projects[$i]}
  # The demo index also answers as the OSV API, for the known-malware check.
  command=(dist/pipcanary -r "demo/projects/$project/requirements.txt" -i "$url" --osv-url "${url%/simple/}" --cache-dir "$work/cache")
  echo
  rule
  echo "[$((i + 1))/${#projects[@]}] $project (expected exit ${expected[$i]})"
  echo "Shows: ${shows[$i]}"
  echo "\$ ${command[*]}"
  rule
  code=0
  "${command[@]}" || code=$?
  # pipcanary handled Ctrl-C or SIGTERM itself (cleaned up, exit 130/143); so bash did not stop.
  if [ "$code" -eq 130 ] || [ "$code" -eq 143 ]; then
    echo "quickstart: interrupted" >&2
    exit "$code"
  fi
  got+=("$code")
  echo "-> exit code $code"
done

stop_server

echo
rule
printf '%-18s | %-8s | %-3s\n' project expected got
printf '%-18s-+-%-8s-+-%-3s\n' ------------------ -------- ---
failed=0
for i in "${!projects[@]}"; do
  mark=""
  if [ "${got[$i]}" != "${expected[$i]}" ]; then
    mark="  <-- MISMATCH"
    failed=1
  fi
  printf '%-18s | %-8s | %-3s%s\n' "${projects[$i]}" "${expected[$i]}" "${got[$i]}" "$mark"
done
rule
if [ "$failed" -ne 0 ]; then
  echo "quickstart: some demo projects did not get their expected exit code" >&2
  exit 1
fi
echo "Every demo project got its expected verdict."
