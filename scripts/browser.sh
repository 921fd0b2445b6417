#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a downloaded browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq chromium fonts-liberation >/dev/null
else
  echo "Debian's chromium is missing: apt-get install chromium (the browser tests need /usr/bin/chromium)." >&2
  exit 1
fi
