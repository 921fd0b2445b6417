# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.installed-$(shell cat pyproject.toml 2>/dev/null | sha256sum | cut -c1-12)
NPM_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-12)

# The test suite runs on PostgreSQL and Redis on this machine.
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
	CACHE_URL=locmemcache:// \
	DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 PORTAL_DEMO=1 \
	PORTAL_SITE_URL=http://testserver

# The smoke set on the embedded default of `make run` (tests/sqlite, marked sqlite): a SQLite
# file and kombu's filesystem broker in a folder of their own, no Redis, no PostgreSQL.
SQLITE_TEST_ENV = DATABASE_URL=sqlite:///$$tmp/portal.sqlite3 REDIS_URL= \
	CELERY_BROKER_URL=filesystem:// CELERY_BROKER_FOLDER=$$tmp/celery/broker \
	PORTAL_MEDIA_ROOT=$$tmp/media CACHE_URL=locmemcache:// \
	DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 PORTAL_DEMO=1 \
	PORTAL_SITE_URL=http://testserver

.PHONY: install run test lint bench demo-code backup restore clean

install: $(PIP_STAMP) $(NPM_STAMP) .env

$(PIP_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip 2>/dev/null
	@echo "Installing Python packages…"
	@mkdir -p var
	@$(PY) -m pip install -e '.[dev]' > var/pip-install.log 2>&1 || (tail -30 var/pip-install.log >&2; echo "Python packages failed to install (var/pip-install.log)" >&2; exit 1)
	@rm -f $(VENV)/.installed-* && touch $@

$(NPM_STAMP): package.json
	@echo "Installing front-end packages…"
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
	@rm -f node_modules/.installed-* && touch $(NPM_STAMP)

.env:
	@sed -e "s|^DJANGO_SECRET_KEY=.*|DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')|" \
	     -e "s|^DJANGO_DEBUG=.*|DJANGO_DEBUG=1|" \
	     -e "s|^DJANGO_SECURE_SSL_REDIRECT=.*|DJANGO_SECURE_SSL_REDIRECT=0|" \
	     -e "s|^DJANGO_SECURE_HSTS_SECONDS=.*|DJANGO_SECURE_HSTS_SECONDS=0|" \
	     -e "s|^PORTAL_SITE_URL=.*|PORTAL_SITE_URL=http://127.0.0.1:$${PORT:-8000}|" \
	     -e "s|^DATABASE_URL=.*|DATABASE_URL=|" -e "s|^REDIS_URL=.*|REDIS_URL=|" -e "s|^CACHE_URL=.*|CACHE_URL=|" \
	     -e "s|^EMAIL_URL=.*|EMAIL_URL=|" -e "s|^PORTAL_DEMO=.*|PORTAL_DEMO=1|" \
	     .env.example | grep -v -E '^(DATABASE_URL|REDIS_URL|CACHE_URL|EMAIL_URL)=$$' > .env
	@echo "Wrote .env for local development (a fresh secret key, DEBUG on, demo data on)."

run: install
	@$(PY) manage.py runportal

test: install
	@$(TEST_ENV) scripts/services.sh
	@scripts/browser.sh
	@scripts/haproxy.sh
	@$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "Missing migrations: run manage.py makemigrations" >&2; exit 1)
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/bandit --quiet --severity-level medium -r accounts audit outbox partnerships governance outcomes compliance portal api demo
	@VENV=$(VENV) scripts/audit.sh
	@$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [ -z "$(PYTEST_ARGS)" ]; then \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && echo "The SQLite smoke set (make run's default)…" && \
		$(SQLITE_TEST_ENV) $(VENV)/bin/pytest -m sqlite -p no:cacheprovider tests/sqlite; \
	fi

lint: install
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# The benchmark at national scale (README, Performance): builds or reuses BENCH_PROJECTS
# (default 100000) projects in the portal_bench_data database, serves them with gunicorn,
# loads each key page with wrk and writes bench/results.json.
bench: install
	@$(TEST_ENV) scripts/services.sh
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing wrk with apt-get…"; apt-get install -y -qq wrk >/dev/null; \
		else echo "wrk is missing: apt-get install wrk" >&2; exit 1; fi; }
	@$(PY) bench/run.py

# Backups of a PostgreSQL deployment: the database (pg_dump) and the stored files, with a
# SHA-256 manifest. `make restore BACKUP=var/backups/<time>` puts them back.
backup: install
	@$(PY) manage.py backup

restore: install
	@test -n "$(BACKUP)" || (echo "Say which backup: make restore BACKUP=var/backups/<time>" >&2; exit 2)
	@$(PY) manage.py restore "$(BACKUP)"

demo-code: install
	@$(PY) manage.py demo_code

clean:
	rm -rf $(VENV) node_modules var staticfiles .pytest_cache .ruff_cache
