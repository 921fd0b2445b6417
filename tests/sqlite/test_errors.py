"""On SQLite a busy or missing database file is a 503 page ("the service is unavailable"),
and a mistake in a query a 500 like any other fault, not a database outage."""

import sqlite3

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import path

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def _bad_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELEC 1")


def _busy(request):
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError as exc:
        raise OperationalError("database is locked") from exc


urlpatterns = [path("bad-query/", _bad_query), path("busy/", _busy)]
handler500 = "portal.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_locked_file_is_a_503_and_a_bad_query_a_500():
    client = Client(raise_request_exception=False)
    busy = client.get("/busy/")
    assert busy.status_code == 503
    assert "Sorry, the service is unavailable" in busy.content.decode()
    bad = client.get("/bad-query/")
    assert bad.status_code == 500
    assert "Sorry, there is a problem with the service" in bad.content.decode()
