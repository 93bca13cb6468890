#!/usr/bin/env bash
# pre-commit entry of .pre-commit-hooks.yaml. pre-commit calls it with the hook's `args` followed by
# the changed files; the trailing arguments that name a requirements file, a lock file or a
# pyproject.toml are the files, everything before them goes to pipcanary unchanged.
# Requirements files and hashed locks are scanned together (-r each); every pyproject.toml is
# scanned on its own (-p takes one file); a changed uv.lock or poetry.lock scans the pyproject.toml
# next to it (pipcanary reads the pyproject's ranges, not these locks' pins). Exits with the
# highest exit code of these runs.
set -uo pipefail

is_input() {
  case "$(basename -- "$1")" in
    requirements*.txt | requirements*.lock | *.requirements.txt | pyproject.toml | uv.lock | poetry.lock) return 0 ;;
    *) return 1 ;;
  esac
}

args=("$@")
first=${#args[@]}
while [ "$first" -gt 0 ] && is_input "${args[$((first - 1))]}"; do first=$((first - 1)); done
options=("${args[@]:0:$first}")
files=("${args[@]:$first}")

requirements=()
projects=()
add_project() {
  local known
  for known in "${projects[@]}"; do [ "$known" -ef "$1" ] && return; done
  if [ -f "$1" ]; then projects+=("$1"); else echo "pipcanary hook: no $1 next to the changed lock file; skipped" >&2; fi
}
for file in "${files[@]}"; do
  case "$(basename -- "$file")" in
    pyproject.toml) add_project "$file" ;;
    uv.lock | poetry.lock) add_project "$(dirname -- "$file")/pyproject.toml" ;;
    *) requirements+=(-r "$file") ;;
  esac
done

worst=0
run() {
  echo "pipcanary $*" >&2
  pipcanary "$@"
  local code=$?
  if [ "$code" -gt "$worst" ]; then worst=$code; fi
}

if [ "${#requirements[@]}" -gt 0 ]; then run "${requirements[@]}" "${options[@]}"; fi
for project in "${projects[@]}"; do run -p "$project" "${options[@]}"; done
exit "$worst"
