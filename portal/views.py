from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from kombu import Connection


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _broker_ok() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


def healthz(request):
    """JSON on the database and the broker.

    200 when both answer; 503 naming the one that does not.
    """
    checks = {
        "database": "ok" if _database_ok() else "unavailable",
        "broker": "ok" if _broker_ok() else "unavailable",
    }
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if not healthy:
        body["failing"] = [name for name, value in checks.items() if value != "ok"]
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: explain, in plain English, what to do."""
    return render(request, "403_csrf.html", status=403)
