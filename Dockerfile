# syntax=docker/dockerfile:1
#
# One image for the partnership portal's web, worker and beat services
# (see docker-compose.yml). Build: docker build -t partnership-portal .

# --- Front-end packages ------------------------------------------------------
# Node.js and npm come from Debian and are only needed to install the packages
# in package.json; the final image keeps node_modules but not Node.js itself.
FROM python:3.11-slim-bookworm AS frontend

RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (nhsuk-frontend); axe-core is for the browser tests.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- Application -------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint's system libraries (Pango, HarfBuzz) and fonts for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

# The user the services run as: it owns only var/ (uploaded media), not the code.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Python dependencies first, so that a code change does not reinstall them.
# The project installs no packages of its own ([tool.setuptools] packages = []):
# `pip install .` installs its dependencies; the code runs from /app.
COPY pyproject.toml ./
RUN pip install . \
    && rm -rf build *.egg-info

COPY --from=frontend /app/node_modules ./node_modules
COPY . .

# Static files are collected into the image at build time. The secret key here
# is a throwaway that exists only for this command; the real one is given at run
# time. The storage must match the one the services use (docker-compose.yml), so
# that the manifest it writes is the one they read.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-not-a-secret \
    DJANGO_STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage \
    python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R portal:portal var

USER portal

EXPOSE 8000

# The web server; docker-compose.yml runs migrations first, and uses the same
# image for the Celery worker and beat with other commands.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
