#!/usr/bin/env bash
# Puts a pipcanary binary on PATH for action.yml. A pipcanary already on PATH is used as it is;
# otherwise the release asset for this machine (pipcanary-linux-x64|arm64[-musl]) is downloaded
# and checked against the release's SHA256SUMS before it is installed: a binary whose sum is
# missing or different is never run.
# Environment: RELEASE_BASE_URL (…/releases of the action's repository), RELEASE_VERSION
# ("latest" or a tag such as 0.1.0 / v0.1.0), INSTALL_DIR (where the binary goes; added to
# $GITHUB_PATH when that is set).
set -euo pipefail

if command -v pipcanary >/dev/null 2>&1; then
  echo "using $(command -v pipcanary) ($(pipcanary --version))"
  exit 0
fi

: "${RELEASE_BASE_URL:?RELEASE_BASE_URL must name the releases URL}"
: "${INSTALL_DIR:?INSTALL_DIR must name a directory}"
version="${RELEASE_VERSION:-latest}"

case "$(uname -m)" in
  x86_64 | amd64) cpu=x64 ;;
  aarch64 | arm64) cpu=arm64 ;;
  *)
    echo "::error::pipcanary has release binaries for x86_64 and aarch64 only, not $(uname -m)" >&2
    exit 1
    ;;
esac
libc=""
if ls /lib/ld-musl-* >/dev/null 2>&1 || (ldd --version 2>&1 | grep -qi musl); then libc="-musl"; fi
asset="pipcanary-linux-${cpu}${libc}"

if [ "$version" = "latest" ]; then
  url="${RELEASE_BASE_URL%/}/latest/download"
else
  url="${RELEASE_BASE_URL%/}/download/v${version#v}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "downloading $url/$asset"
curl -fsSL --retry 3 -o "$work/$asset" "$url/$asset"
curl -fsSL --retry 3 -o "$work/SHA256SUMS" "$url/SHA256SUMS"

expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1 }' "$work/SHA256SUMS")
if [ -z "$expected" ]; then
  echo "::error::SHA256SUMS of release $version has no entry for $asset; refusing to run an unverified binary" >&2
  exit 1
fi
actual=$(sha256sum "$work/$asset" | awk '{ print $1 }')
if [ "$expected" != "$actual" ]; then
  echo "::error::checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; refusing to run it" >&2
  exit 1
fi

mkdir -p "$INSTALL_DIR"
install -m 0755 "$work/$asset" "$INSTALL_DIR/pipcanary"
if [ -n "${GITHUB_PATH:-}" ]; then echo "$INSTALL_DIR" >> "$GITHUB_PATH"; fi
echo "installed $INSTALL_DIR/pipcanary ($("$INSTALL_DIR/pipcanary" --version)), sha256 $actual"
