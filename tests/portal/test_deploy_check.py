"""Production settings: Django's deployment checks, the secret key and the
security headers."""

import ast
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETTINGS = REPO / "portal" / "settings.py"

# settings.py silences one deploy check by default, with its reason there:
# security.W021 (HSTS preload is the decision of the whole domain's owner).
# Everything else `check --deploy` warns about fails the test.


def production_env():
    """os.environ with every DJANGO_* value replaced by production ones.

    Each value is set explicitly: settings also read the local .env (DEBUG on,
    HSTS off for development), but never over a variable that is already set.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": "partnerships.example.nhs.uk",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "",
            "DJANGO_SECURE_SSL_REDIRECT": "1",
            "DJANGO_SECURE_HSTS_SECONDS": "31536000",
            "DJANGO_SECURE_HSTS_PRELOAD": "0",
            "DJANGO_SECURE_COOKIES": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PORTAL_DEMO": "0",
            "PORTAL_SITE_URL": "https://partnerships.example.nhs.uk",
        }
    )
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return env


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "ERRORS" not in output, output


def secret_key_reads(source):
    """Every call in `source` that reads DJANGO_SECRET_KEY through env / env.str."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
            and func.attr == "str"
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and first.value == "DJANGO_SECRET_KEY":
            calls.append(node)
    return calls


def has_default(call):
    return len(call.args) > 1 or any(k.arg == "default" for k in call.keywords)


def test_settings_read_the_secret_key_with_no_default():
    calls = secret_key_reads(SETTINGS.read_text())
    assert calls, "settings do not read DJANGO_SECRET_KEY with env()"
    assert not any(has_default(call) for call in calls)


@pytest.mark.parametrize(
    "source",
    [
        'SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure")',
        'SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure")',
        'SECRET_KEY = env("DJANGO_SECRET_KEY", str, "insecure")',
    ],
)
def test_secret_key_check_rejects_a_default(source):
    calls = secret_key_reads(source)
    assert calls
    assert any(has_default(call) for call in calls)


def test_settings_refuse_to_load_without_a_secret_key(tmp_path):
    """The settings module alone, away from the repository's .env, fails to load
    without DJANGO_SECRET_KEY and loads with it."""
    copy = tmp_path / "portal" / "settings.py"
    copy.parent.mkdir()
    shutil.copy(SETTINGS, copy)
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    load = [sys.executable, "-c", f"import runpy; runpy.run_path({str(copy)!r})"]

    without_key = subprocess.run(
        load, cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert without_key.returncode != 0
    assert "DJANGO_SECRET_KEY" in without_key.stderr

    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(60)
    with_key = subprocess.run(load, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert with_key.returncode == 0, with_key.stderr


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


def test_security_headers(client, db):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
