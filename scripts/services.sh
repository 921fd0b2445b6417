#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1, as the test suite needs.
# Starts them when installed but stopped; installs them (Debian, as root) when
# missing; otherwise says exactly what is missing and fails.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  echo "Installing $* with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # command, what
  for _ in $(seq 1 30); do
    if eval "$1" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$2 did not start within 30 seconds." >&2
  return 1
}

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT"; }

ensure_postgres() {
  if command -v pg_isready >/dev/null 2>&1 && pg_up; then return 0; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    if can_install; then
      apt_install postgresql
    else
      echo "PostgreSQL is not installed. Install it (Debian: apt-get install postgresql) or set DATABASE_URL to a running server." >&2
      exit 1
    fi
  fi
  version=$(ls /etc/postgresql | sort -V | tail -1)
  conf=/etc/postgresql/$version/main
  # The suite connects as postgres over TCP without a password (local only).
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf" 2>/dev/null && [ -w "$conf/pg_hba.conf" ]; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf/pg_hba.conf"
  fi
  echo "Starting PostgreSQL $version…"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
      || pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
  fi
  wait_for pg_up "PostgreSQL"
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG; }

ensure_redis() {
  if command -v redis-cli >/dev/null 2>&1 && redis_up; then return 0; fi
  if ! command -v redis-server >/dev/null 2>&1; then
    if can_install; then
      apt_install redis-server
    else
      echo "Redis is not installed. Install it (Debian: apt-get install redis-server) or set REDIS_URL to a running server." >&2
      exit 1
    fi
  fi
  echo "Starting Redis…"
  mkdir -p /tmp/portal-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /tmp/portal-redis --logfile /tmp/portal-redis/redis.log
  wait_for redis_up "Redis"
}

ensure_database() { # the database named in DATABASE_URL (default portal), for manage.py
  name=$(python3 -c 'import os, urllib.parse as u; print(u.urlparse(os.environ.get("DATABASE_URL", "postgres:///portal")).path.lstrip("/") or "portal")')
  if ! psql -h "$PGHOST" -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$name"
  fi
}

ensure_postgres
ensure_database
ensure_redis
echo "PostgreSQL and Redis are running."
