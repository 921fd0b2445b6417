"""Issue 6: each key page's query count does not grow with the data. The benchmark's own
pages and people (demo.scale.pages) on seed_scale's data at two sizes, counted by the
benchmark's own X-Query-Count header."""

import pytest
from django.db import transaction
from django.urls import path

from accounts.models import User
from demo.scale.pages import key_pages
from demo.scale.seed import seed
from portal import bench
from portal.urls import urlpatterns as portal_urlpatterns

# The floor page exists only under PORTAL_BENCH=1; these tests add it.
urlpatterns = [*portal_urlpatterns, path("bench/floor", bench.floor, name="bench-floor")]

SMALL, LARGE = 40, 160


class _Undo(Exception):
    """Rolls one size's data set back before the next is built."""


@pytest.fixture
def counting(settings):
    settings.MIDDLEWARE = ["portal.bench.QueryCountMiddleware", *settings.MIDDLEWARE]
    settings.ROOT_URLCONF = __name__


def _rows_shown(response) -> int | None:
    context = response.context or {}
    if "page" in context and hasattr(context["page"], "object_list"):
        return len(context["page"].object_list)
    if "items" in context:
        return len(context["items"])
    return None


def _measure(client, projects: int) -> dict[str, int]:
    counts = {}
    try:
        with transaction.atomic():
            seed(projects=projects, years=2, log=lambda *_: None)
            for page in key_pages():
                client.logout()
                if page.user_id is not None:
                    client.force_login(User.objects.get(pk=page.user_id))
                client.get(page.url)  # the second request is counted: caches are warm
                response = client.get(page.url)
                assert response.status_code == 200, page
                shown = _rows_shown(response)
                assert shown is None or shown > 0, f"{page.name} shows nothing to count"
                counts[page.name] = int(response[bench.QUERY_COUNT_HEADER])
            raise _Undo
    except _Undo:
        pass
    return counts


@pytest.mark.django_db(transaction=False)
def test_each_key_page_makes_the_same_number_of_queries_at_two_sizes(client, counting):
    small = _measure(client, SMALL)
    large = _measure(client, LARGE)
    assert set(small) == {
        "floor",
        "healthz",
        "industry home",
        "partnership lead home",
        "panel queue",
        "project list (filter and search)",
        "project status",
        "public register search",
        "learning library search",
    }
    assert large == small


def test_query_count_header_counts_every_query(client, counting, db, partnership_lead):
    client.force_login(partnership_lead)
    response = client.get("/bench/floor")
    assert response.status_code == 200
    assert "Benchmark floor" in response.content.decode()
    # The session, the user, the layout's notifications and the one row: a handful.
    assert 1 <= int(response[bench.QUERY_COUNT_HEADER]) <= 12
    client.logout()
    assert client.get("/healthz")[bench.QUERY_COUNT_HEADER] == "1"  # SELECT 1


def test_floor_page_needs_signing_in(client, counting, db):
    response = client.get("/bench/floor")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bench_pages_are_off_unless_asked_for(client, db, settings):
    assert settings.PORTAL_BENCH is False
    response = client.get("/bench/floor")
    assert response.status_code == 404
    assert bench.QUERY_COUNT_HEADER not in client.get("/healthz")
