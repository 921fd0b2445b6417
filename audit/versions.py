"""The version of the portal's data, and pages' fragments cached under it.

Every change that a page can show is made by a service, and every service records its change
in the audit trail in the change's own transaction (audit.services.audit_record); changes
made in the admin site are logged by Django's admin. So the length of the chain and the last
admin log entry together move with every change, and only once it has committed: a fragment
cached under the version it was read at is never shown after a later change, because the
next request reads a new version and builds the fragment again. It is coarse on purpose (any
change anywhere builds every fragment again) and costs one query of two indexed lookups.

Fragments are cached for FRAGMENT_SECONDS at most, and hold no form with a CSRF token.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from audit.models import AuditHead

FRAGMENT_SECONDS = 600
T = TypeVar("T")


def data_version() -> str:
    """The audit chain's last sequence number and the admin site's last log entry."""
    quote = connection.ops.quote_name
    # Only the models' table names go into the text.
    sql = (
        f"SELECT (SELECT last_seq FROM {quote(AuditHead._meta.db_table)} WHERE id = 1), "  # noqa: S608  # nosec B608
        f"(SELECT MAX(id) FROM {quote(LogEntry._meta.db_table)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        seq, admin = cursor.fetchone()
    return f"{seq or 0}.{admin or 0}"


def cached_at_version(name: str, *parts, build: Callable[[], T]) -> T:
    """What ``build`` returns for ``name`` and ``parts`` (whose it is, what was asked) at
    the data's current version: from the cache, or built and kept. Anything the cache can
    pickle: a page's HTML, a list of results."""
    asked = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    key = f"fragment:{name}:{data_version()}:{asked}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, FRAGMENT_SECONDS)
    return value


_MISSING = object()


def cached_page(request, template: str, *, name: str, parts, context, page_context=None):
    """The page ``template`` (which puts ``{{ content }}`` in base.html's content block)
    around its content, ``template`` with ``_content`` before ``.html``, rendered with
    ``context()`` and cached at the data's version for ``parts`` and the address asked for
    (its query string: filters, search, page). Check permission before calling it.
    ``page_context``: what the page template itself needs (its title, say)."""
    fragment = template.removesuffix(".html") + "_content.html"
    content = cached_at_version(
        name,
        *parts,
        request.get_full_path(),
        build=lambda: render_to_string(fragment, context(), request=request),
    )
    return render(
        request,
        template,
        {**(page_context or {}), "content": mark_safe(content)},  # noqa: S308  # nosec B308 B703
    )
