"""The SQLite smoke set: what a first user of `make run` meets, on its zero-setup default
(SQLite and kombu's filesystem broker, no server of any kind).

`make test` runs it in a second pytest run, with DATABASE_URL a SQLite file, REDIS_URL
empty, CELERY_BROKER_URL=filesystem:// and `-m sqlite`. On any other database these
tests are left out (deselected): the main suite covers the same ground on PostgreSQL.
"""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from demo import people as demo

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def pytest_collection_modifyitems(config, items):
    if ON_SQLITE:
        return
    left_out = [item for item in items if item.get_closest_marker("sqlite")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("sqlite")]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """The test database in a file rather than SQLite's shared memory, so that the Celery
    worker the disclosure test starts, a process of its own, opens the same database."""
    folder = tmp_path_factory.mktemp("sqlite")
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _broker_folders():
    """The filesystem broker's folders, as runportal makes them."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        settings.CELERY_BROKER_FOLDER.mkdir(parents=True, exist_ok=True)
        (settings.CELERY_BROKER_FOLDER.parent / "control").mkdir(parents=True, exist_ok=True)


def seed_demo():
    with override_settings(PASSWORD_HASHERS=[MD5_HASHER]):  # the tests sign in with it
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """seed_demo's organisations, people and projects, loaded once for a module's tests
    (each of which rolls back its own changes) and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


def sign_in(client, email: str):
    """Through the real forms, as a person does: the password, then for the roles that need
    it the code of the demo authenticator."""
    response = client.post(
        reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302, email
    if response["Location"] == reverse("mfa_authenticate"):
        response = client.post(response["Location"], {"code": demo.current_totp_code()})
        assert response.status_code == 302, email
    assert response["Location"] == reverse("home"), (email, response["Location"])
    return client
