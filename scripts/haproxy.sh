#!/usr/bin/env bash
# The two-node test (tests/nodes) puts Debian's haproxy in front of two web nodes.
set -euo pipefail
if command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing haproxy for the two-node test…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq haproxy >/dev/null
else
  echo "haproxy is missing: apt-get install haproxy (the two-node test needs it)." >&2
  exit 1
fi
