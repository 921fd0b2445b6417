"""API clients with a personal access token for any of the cast, and the approved project
of the outcomes tests (built with the real services)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import token_create
from partnerships.models import Project
from tests.outcomes.conftest import _media_root, approved, declare_nil  # noqa: F401

ROLES = ["partnership_lead", "industry_member", "panel_member", "panel_chair", "auditor"]


def make_token(user, *, scope="write", days=30) -> str:
    _, secret = token_create(
        user=user,
        name=f"{scope} token",
        scope=scope,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        actor=user,
    )
    return secret


@pytest.fixture
def api():
    """``api(user, scope="write")``: a client sending a fresh token of the user's;
    ``api()``: an anonymous client."""

    def client_for(user=None, *, scope="write"):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user, scope=scope)}")
        return client

    return client_for


@pytest.fixture
def active(approved):  # noqa: F811
    Project.objects.filter(pk=approved.pk).update(status=Project.Status.ACTIVE)
    return Project.objects.get(pk=approved.pk)


def error_code(response) -> str:
    return response.json()["error"]["code"]
