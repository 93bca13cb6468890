#!/usr/bin/env bash
# Installs what pipcanary's build, demo and tests need on a fresh Debian machine:
# bun and the TypeScript dependencies from the npm registry, and from Debian's packages
# bubblewrap (sandbox), strace (tracing) and python3-wheel-whl (the `wheel` wheel that pip's
# offline sdist builds need; setuptools comes from the host Python's own ensurepip bundle), and
# redis-server, which the shared verdict cache's tests start on 127.0.0.1 as a child of their own.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v strace >/dev/null 2>&1 || missing+=(strace)
compgen -G "/usr/share/python-wheels/wheel-*.whl" >/dev/null || missing+=(python3-wheel-whl)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]} with apt-get" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  echo "setup: python3 with pip is required: apt-get install -y python3 python3-pip python3-venv" >&2
  exit 6
fi

if [ ! -x node_modules/.bin/bun ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (bun included)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
