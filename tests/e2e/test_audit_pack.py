"""An auditor asks for an audit pack with the period the wrong way round, is told so, asks
again, waits for it, downloads it, and its fingerprint is the one shown."""

import datetime
import hashlib

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from portal.celery import app
from tests.e2e.helpers import axe_check, sign_in
from tests.e2e.test_accessibility import assert_error_summary
from tests.e2e.test_disclosure import approve
from tests.e2e.test_sign_in import enter_authenticator_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date(page, field, value: datetime.date):
    page.locator(f"#id_{field}").fill(str(value.day))
    page.locator(f"#id_{field}_1").fill(str(value.month))
    page.locator(f"#id_{field}_2").fill(str(value.year))


def test_auditor_requests_and_downloads_an_audit_pack(
    page,
    settings,
    tmp_path,
    icb,
    ready_proposal,
    partnership_lead,
    deputy,
    industry_member,
    panel_member,
    panel_chair,
    auditor,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    approve(
        ready_proposal,
        [partnership_lead, deputy, industry_member, panel_member, panel_chair],
        [panel_member, panel_chair],
    )
    sign_in(page, auditor)
    enter_authenticator_code(page)
    today = timezone.localdate()

    page.goto(reverse("compliance:audit-pack-list"))
    expect(page.get_by_test_id("period-rule")).to_contain_text("submitted for review")
    page.get_by_label("Lead organisation").select_option(label=icb.name)
    fill_date(page, "period_from", today)
    fill_date(page, "period_to", today - datetime.timedelta(days=10))
    page.get_by_role("button", name="Request the audit pack").click()
    assert_error_summary(page)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The end of the period must be the same as or after its start"
    )
    axe_check(page, "audit-pack-error")

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        fill_date(page, "period_from", today - datetime.timedelta(days=30))
        fill_date(page, "period_to", today)
        page.get_by_role("button", name="Request the audit pack").click()
        expect(page.get_by_test_id("document-status")).to_have_text("Ready", timeout=60_000)
    axe_check(page, "audit-pack-list")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    path = tmp_path / "pack.pdf"
    download_info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    shown = page.get_by_test_id("sha256").text_content().strip()
    assert shown == hashlib.sha256(data).hexdigest()
