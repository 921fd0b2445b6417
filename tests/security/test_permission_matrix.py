"""Every URL the portal serves, for every role, on a project they are on and one they are not.

The URL patterns come from the resolver, so a new page is a new test case here that fails
until its line is added to POLICY. Each case signs in as each member of the cast (and
stays anonymous), fills the pattern's arguments from real objects of the project in the
state the page needs, and checks GET (and POST with empty data, PUT/PATCH for the API,
where the view takes them) against the policy: an allowed person gets 200 or a redirect
(an empty form post may answer 400 with the errors), an anonymous person is sent to sign
in (401/403 on /api/), someone who can see the object but not do this gets 403, and
someone who cannot see it gets 404, so that a project's existence does not leak. Nothing
may answer 500. Every request runs in a savepoint that is rolled back, so a removal or a
submission by one person does not change what the next one finds.

Separately: ids of the other side's objects inside this side's URLs, and in posted form
fields, are refused and nothing is saved.
"""

import json
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from partnerships.models import OutcomeMeasure
from tests.security.world import (
    ANONYMOUS,
    ROLES,
    build_world,
    company_partner,
    team_member_row,
)

MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"

# Who ------------------------------------------------------------------------------------

PUBLIC = "public"
LEAD = frozenset({"partnership_lead", "deputy"})  # "team_lead": the project lead and deputy
TEAM = LEAD | {"industry_member"}  # everyone on the project team
PANEL = frozenset({"panel_member", "panel_chair"})  # the lead ICB's governance panel
CHAIR = frozenset({"panel_chair"})
AUDITOR = frozenset({"auditor"})
ADMIN = frozenset({"administrator"})
SIGNED_IN = frozenset(ROLES)
# Who sees a project: its team, the members of its partner organisations (the lead ICB's
# panel among them), auditors and administrators.
VIEWERS = TEAM | PANEL | AUDITOR | ADMIN
# Whose rights do not depend on being on the project or in its organisations.
EVERYWHERE = AUDITOR | ADMIN
NOBODY = frozenset()

# Objects whose visibility comes from the project: on the other side only EVERYWHERE keep it.
PROJECT_SCOPED = ("project", "disclosure")


@dataclass(frozen=True)
class P:
    """Who may read (GET) and write (POST, and PUT/PATCH on the API) one URL.

    read/write: a set of roles or PUBLIC; write None when the view takes no POST;
    post_only: GET answers 405. obj: what ``pk`` is (project, panel, interest, organisation,
    invitation, token, disclosure). state: which project the URL is filled from. see: who
    can see the object at all (others get 404); other_*: the same on the other side's
    object (defaults: project-scoped objects keep only EVERYWHERE's rights, others keep
    everyone's). body: the JSON sent to an API write, where an empty one would do nothing.
    """

    read: object = None
    write: object = None
    post_only: bool = False
    obj: str | None = None
    state: str | None = None
    see: frozenset | None = None
    other_see: frozenset | None = None
    other_read: object = None
    other_write: object = None
    body: dict | None = None

    def rules(self, side):
        project_scoped = self.obj in PROJECT_SCOPED
        see = self.see if self.see is not None else (VIEWERS if project_scoped else SIGNED_IN)
        read, write = self.read, self.write
        if side == "own":
            return see, read, write

        def other(rule, override):
            if override is not None:
                return override
            if rule is None or rule == PUBLIC or not project_scoped:
                return rule
            return rule & EVERYWHERE

        other_see = self.other_see
        if other_see is None:
            other_see = see & EVERYWHERE if project_scoped else see
        return other_see, other(read, self.other_read), other(write, self.other_write)


def project(state, read=VIEWERS, write=None, **kwargs):
    return P(read=read, write=write, obj="project", state=state, **kwargs)


def post_only(write, **kwargs):
    return P(read=None, write=write, post_only=True, **kwargs)


DISCLOSERS = TEAM | AUDITOR | ADMIN  # the team, auditors and administrators

POLICY: dict[str, P] = {
    # portal
    "home": P(read=PUBLIC),
    "healthz": P(read=PUBLIC),
    "audit-trail": P(read=EVERYWHERE, write=EVERYWHERE),  # POST checks the hash chain
    # compliance
    "compliance:breach-list": P(read=EVERYWHERE),
    "compliance:breach-csv": P(read=EVERYWHERE),
    "compliance:audit-pack-list": P(read=EVERYWHERE, write=EVERYWHERE),
    "compliance:audit-pack-status": P(read=EVERYWHERE),
    # accounts
    "accounts:directory": P(read=PUBLIC),
    "accounts:organisation-list": P(read=SIGNED_IN),
    "accounts:organisation-create": P(read=ADMIN, write=ADMIN),
    "accounts:organisation-detail": P(read=SIGNED_IN, obj="organisation"),
    "accounts:organisation-edit": P(
        read=LEAD | ADMIN,
        write=LEAD | ADMIN,
        obj="organisation",
        other_read=ADMIN,
        other_write=ADMIN,
    ),
    "accounts:invitation-list": P(read=LEAD | ADMIN),
    "accounts:invitation-create": P(read=LEAD | ADMIN, write=LEAD | ADMIN),
    # Someone who may not invite at all is told so (403); a partnership lead of another
    # organisation does not learn the invitation exists (404).
    "accounts:invitation-revoke": post_only(
        LEAD | ADMIN, obj="invitation", other_see=SIGNED_IN - LEAD, other_write=ADMIN
    ),
    # Signed-in people are sent home to sign out first; anyone else sees the invitation.
    "accounts:invitation-accept": P(read=PUBLIC, write=PUBLIC),
    # partnerships
    "partnerships:project-list": P(read=SIGNED_IN),
    "partnerships:project-create": P(read=LEAD | ADMIN, write=LEAD | ADMIN),
    "partnerships:project-detail": project("draft"),
    "partnerships:project-withdraw": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:project-start": project("active", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:project-complete": project("active", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:proposal": project("draft"),
    "partnerships:proposal-check": project("draft"),
    "partnerships:proposal-submit": post_only(LEAD | ADMIN, obj="project", state="draft"),
    "partnerships:open-sections": post_only(LEAD | ADMIN, obj="project", state="draft"),
    "partnerships:section-edit": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:comment-add": post_only(TEAM | ADMIN, obj="project", state="draft"),
    "partnerships:measure-add": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:measure-edit": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:measure-remove": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:partner-list": project("draft"),
    "partnerships:partner-add": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    # The company's own member edits the company's contribution (partner_pk is the company).
    "partnerships:partner-edit": project("draft", TEAM | ADMIN, TEAM | ADMIN),
    "partnerships:partner-remove": post_only(LEAD | ADMIN, obj="project", state="draft"),
    "partnerships:partner-invite": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:team-list": project("draft"),
    "partnerships:team-add": project("draft", LEAD | ADMIN, LEAD | ADMIN),
    "partnerships:team-remove": post_only(LEAD | ADMIN, obj="project", state="draft"),
    "partnerships:document-list": project("active"),
    "partnerships:document-upload": project("active", TEAM | ADMIN, TEAM | ADMIN),
    "partnerships:document-download": project("active"),
    # governance
    "governance:register": P(read=PUBLIC),
    "governance:register-entry": P(read=PUBLIC),
    "governance:declaration-list": P(read=SIGNED_IN),
    # Declaring is for the team and the lead ICB's panel; to anyone else the project is 404.
    "governance:declaration-project-new": project(
        "submitted", TEAM | PANEL, TEAM | PANEL, see=TEAM | PANEL
    ),
    "governance:declaration-annual-new": P(read=PANEL, write=PANEL),
    # Those who may not read the register get 404 (its interests are not theirs to know
    # of); an auditor reads only their own ICB's register.
    "governance:interest-manage": P(
        read=CHAIR | ADMIN,
        write=CHAIR | ADMIN,
        obj="interest",
        see=PANEL | EVERYWHERE,
        other_see=ADMIN,
        other_read=ADMIN,
        other_write=ADMIN,
    ),
    "governance:declaration-register": P(read=PANEL | EVERYWHERE),
    "governance:declaration-register-csv": P(read=PANEL | EVERYWHERE),
    "governance:review-queue": P(read=PANEL),
    # Only members of the reviewing panel sign off; administrators too are refused.
    "governance:gate-detail": project("submitted", VIEWERS, PANEL),
    "governance:review-route": project("submitted", CHAIR | ADMIN, CHAIR | ADMIN),
    "governance:panel-detail": P(
        read=PANEL | ADMIN,
        write=CHAIR | ADMIN,
        obj="panel",
        see=PANEL | ADMIN,
        other_see=ADMIN,
        other_read=ADMIN,
        other_write=ADMIN,
    ),
    "governance:notification-list": P(read=SIGNED_IN, write=SIGNED_IN),
    "governance:notification-settings": P(read=SIGNED_IN, write=SIGNED_IN),
    # outcomes: the reviewing panel sees the project but not its disclosure documents.
    "outcomes:disclosure-project": project("active", DISCLOSERS),
    "outcomes:disclosure-project-status": project("active", DISCLOSERS),
    "outcomes:disclosure-project-request": post_only(DISCLOSERS, obj="project", state="active"),
    "outcomes:projects-csv": P(read=SIGNED_IN),
    "outcomes:disclosure-extracts": P(read=PANEL | EVERYWHERE, write=PANEL | EVERYWHERE),
    "outcomes:disclosure-extracts-status": P(read=PANEL | EVERYWHERE),
    "outcomes:disclosure-download": P(read=DISCLOSERS, obj="disclosure", see=DISCLOSERS),
    "outcomes:disclosure-retry": post_only(DISCLOSERS, obj="disclosure", see=DISCLOSERS),
    "outcomes:transfers-csv": P(read=frozenset({"industry_member"}) | EVERYWHERE),
    "outcomes:verify": P(read=PUBLIC, write=PUBLIC),
    "outcomes:report-list": project("active"),
    "outcomes:report-detail": project("active", VIEWERS, TEAM | ADMIN),
    # The issue was raised by the industry member: they, the lead and deputy may change it.
    "outcomes:report-issue-change": project("active", TEAM | ADMIN, TEAM | ADMIN),
    "outcomes:report-issue-remove": project("active", TEAM | ADMIN, TEAM | ADMIN),
    "outcomes:final-report": project("completed", VIEWERS, TEAM | ADMIN),
    "outcomes:final-report-check": project("completed", LEAD | ADMIN, LEAD | ADMIN),
    "outcomes:learning-library": P(read=SIGNED_IN),
    # api
    "api:me": P(read=SIGNED_IN),
    "api:project-list": P(read=SIGNED_IN, write=LEAD | ADMIN),
    "api:project-detail": project(
        "draft", VIEWERS, LEAD | ADMIN, body={"background": "Changed through the API"}
    ),
    "api:project-submit": post_only(LEAD | ADMIN, obj="project", state="draft"),
    "api:project-withdraw": post_only(LEAD | ADMIN, obj="project", state="draft"),
    "api:measure-list": project("draft"),
    "api:gate-list": project("submitted"),
    "api:gate-detail": project("submitted"),
    "api:gate-sign-off": post_only(PANEL, obj="project", state="submitted"),
    "api:report-list": project("active"),
    "api:report-detail": project("active", VIEWERS, TEAM | ADMIN),
    "api:report-submit": post_only(LEAD | ADMIN, obj="project", state="active"),
    "api:disclosure-list": project("active", DISCLOSERS, DISCLOSERS),
    "api:audit-pack-list": P(read=EVERYWHERE, write=EVERYWHERE),
    "api:disclosure-detail": P(read=DISCLOSERS, obj="disclosure", see=DISCLOSERS),
    "api:disclosure-download": P(read=DISCLOSERS, obj="disclosure", see=DISCLOSERS),
    "api:partner-list": P(read=SIGNED_IN),
    "api:partner-detail": P(read=SIGNED_IN, obj="organisation"),
    "api:declaration-list": P(read=SIGNED_IN, write=SIGNED_IN),
    "api:register-list": P(read=PUBLIC),
    "api:register-detail": P(read=PUBLIC),
    "api:schema": P(read=PUBLIC),
    "api:docs": P(read=PUBLIC),
    "api:token-list": P(read=SIGNED_IN),
    "api:token-create": P(read=SIGNED_IN, write=SIGNED_IN),
    "api:token-revoke": P(
        read=frozenset({"partnership_lead"}),
        write=frozenset({"partnership_lead"}),
        obj="token",
        see=frozenset({"partnership_lead"}),
        other_see=NOBODY,
    ),
}

# Skipped, with why: third-party pages with their own tests and permission rules.
SKIPPED_INCLUDES = {
    # The Django admin: staff only, its own permission system, signed in through allauth
    # (so MFA applies); tests/accounts/test_mfa.py covers reaching it.
    "admin": "Django admin",
    # django-allauth's sign-in, sign-up (closed), password reset, email and MFA pages;
    # tests/accounts/test_allauth_pages.py, test_sign_in.py and test_mfa.py cover them.
    "allauth.urls": "django-allauth",
}


# The resolver ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]
    callback: object


def _walk(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            urlconf = entry.urlconf_name
            module = urlconf if isinstance(urlconf, str) else getattr(urlconf, "__name__", "")
            if entry.namespace in SKIPPED_INCLUDES or module in SKIPPED_INCLUDES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for route in _walk(entry, inner):
                # kwargs captured by the include's own prefix (none today) come first
                yield Route(
                    route.name,
                    tuple(entry.pattern.converters) + route.kwargs,
                    route.callback,
                )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"
            yield Route(name, tuple(entry.pattern.converters), entry.callback)


def all_routes() -> dict[str, Route]:
    return {route.name: route for route in _walk(get_resolver())}


ROUTES = all_routes()


def test_every_policy_line_is_a_url_the_portal_serves():
    assert not set(POLICY) - set(ROUTES), "POLICY names URLs that no longer exist"


# The data set ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module and rolled back after it."""
    media = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"), PASSWORD_HASHERS=[MD5_HASHER]
    )
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def clients(world, db):
    made = {ANONYMOUS: Client(raise_request_exception=False)}
    for role, user in world.users.items():
        made[role] = Client(raise_request_exception=False)
        made[role].force_login(user)
    return made


class Unfillable(Exception):
    pass


def fill(route: Route, policy: P, world, side: str, sub_side: str | None = None) -> dict:
    """The URL's arguments from real objects: ``pk`` (policy.obj) of ``side``; the objects
    inside a project (measure, partner, issue...) of ``sub_side`` (default: the same)."""
    here, there = world.side(side), world.side(sub_side or side)
    state = policy.state
    project = here.projects[state] if state else None
    sub_project = there.projects[state] if state else None
    objects = {
        "project": lambda: project.pk,
        "panel": lambda: here.panel.pk,
        "interest": lambda: here.interest.pk,
        "organisation": lambda: here.icb.pk,
        "invitation": lambda: here.invitation.pk,
        "token": lambda: here.token.pk,
        "disclosure": lambda: here.disclosure.pk,
    }
    values = {}
    for kwarg in route.kwargs:
        if kwarg == "pk" and policy.obj in objects and (project or policy.obj != "project"):
            values[kwarg] = objects[policy.obj]()
        elif kwarg == "number" and sub_project is not None:
            values[kwarg] = 1
        elif kwarg == "kind" and project is not None:
            values[kwarg] = "shared_purpose"
        elif kwarg == "issue_id" and state == "active":
            values[kwarg] = there.issue.pk
        elif kwarg == "version_pk" and state == "active":
            values[kwarg] = there.version.pk
        elif kwarg == "measure_pk" and sub_project is not None:
            values[kwarg] = OutcomeMeasure.objects.filter(project=sub_project).first().pk
        elif kwarg == "partner_pk" and sub_project is not None:
            values[kwarg] = company_partner(sub_project).pk
        elif kwarg == "member_pk" and sub_project is not None:
            values[kwarg] = team_member_row(sub_project, there.people["industry_member"]).pk
        elif kwarg == "section":
            values[kwarg] = "need"
        elif kwarg == "reference":
            values[kwarg] = here.projects["active"].reference
        elif kwarg == "token":
            values[kwarg] = here.invitation_token
        else:
            raise Unfillable(kwarg)
    return values


# Requests -------------------------------------------------------------------------------


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


def call(client, method, url, body=None):
    """One request in a savepoint that is rolled back afterwards."""
    api = url.startswith("/api/")
    try:
        with transaction.atomic():
            if method == "get":
                response = client.get(url)
            elif api:
                payload = json.dumps(body if body is not None else {})
                response = getattr(client, method)(url, payload, content_type="application/json")
            else:
                response = client.post(url, {})
            if response.streaming:  # read it all: the client closes it at the end
                b"".join(response.streaming_content)
            raise _Rollback(response)
    except _Rollback as done:
        return done.response


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def is_sent_elsewhere(response) -> bool:
    """A redirect that is not an answer: to sign in, or to set up two-factor authentication."""
    return is_login_redirect(response) or response["Location"].startswith("/accounts/2fa/")


def answer_ok(response, method, api) -> bool:
    """What an allowed request may get: the page, a redirect onwards (not to sign in), and
    for an empty post the form's errors (400 where the view says so, 409 on the API when
    the project's state refuses it)."""
    code = response.status_code
    if code == 302:
        return not is_sent_elsewhere(response)
    if method == "get":
        return code == 200
    return code in (200, 201, 202, 204, 400) or (api and code == 409)


def expected(policy: P, method: str, role: str, side: str) -> str:
    """ "ok", "login", "403", "404" or "405" (for a GET on a view that takes only POST)."""
    see, read, write = policy.rules(side)
    rule = read if method == "get" else write
    if role == ANONYMOUS:
        return "ok" if rule == PUBLIC else "login"
    if method == "get" and policy.post_only:
        return "405"
    if rule != PUBLIC and role not in see:
        return "404"
    return "ok" if rule == PUBLIC or role in rule else "403"


def check(response, want: str, method: str, api: bool) -> bool:
    code = response.status_code
    if want == "ok":
        return answer_ok(response, method, api)
    if want == "login":
        return code in (401, 403) if api else is_login_redirect(response)
    if want == "405":
        # require_POST answers 405 before the object is looked up; others look it up first.
        return code in (403, 404, 405)
    return code == int(want)


def methods_for(route: Route, policy: P) -> list[str]:
    methods = [] if policy.post_only else ["get"]
    if policy.post_only:
        methods.append("get")  # must answer 405 (or refuse)
    cls = getattr(route.callback, "cls", None)
    if cls is not None:  # an API view: every write method it has
        for method in ("post", "put", "patch", "delete"):
            if hasattr(cls, method):
                methods.append(method)
    elif policy.write is not None:
        methods.append("post")
    return methods


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_permission_matrix(name, world, clients):
    route = ROUTES[name]
    assert not name.startswith("<unnamed"), f"{name}: give the URL pattern a name"
    assert name in POLICY, (
        f"{name} is not in POLICY: add who may read and write it to "
        "tests/security/test_permission_matrix.py"
    )
    policy = POLICY[name]
    cls = getattr(route.callback, "cls", None)
    if cls is not None:
        takes_writes = any(hasattr(cls, m) for m in ("post", "put", "patch", "delete"))
        assert takes_writes == (policy.write is not None), (
            f"{name}: the API view {'takes' if takes_writes else 'takes no'} writes; "
            "say who may write in POLICY"
        )
    sides = ["own", "other"] if route.kwargs else ["own"]
    failures = []
    for side in sides:
        try:
            url = reverse(name, kwargs=fill(route, policy, world, side))
        except Unfillable as missing:
            pytest.fail(
                f"{name}: cannot fill the URL argument {missing} (state {policy.state!r}, "
                f"obj {policy.obj!r}); add it to fill() or the POLICY line"
            )
        assert resolve(url).view_name == name, f"{url} resolves to another page than {name}"
        api = url.startswith("/api/")
        for method in methods_for(route, policy):
            for role in (*ROLES, ANONYMOUS):
                want = expected(policy, method, role, side)
                response = call(clients[role], method, url, policy.body)
                if not check(response, want, method, api):
                    where = response.get("Location", "")
                    failures.append(
                        f"{method.upper()} {url} as {role} ({side} side): "
                        f"{response.status_code} {where}, expected {want}"
                    )
    assert not failures, f"{name}:\n" + "\n".join(failures)


# Another project's ids ------------------------------------------------------------------

NESTED = ("issue_id", "version_pk", "measure_pk", "partner_pk", "member_pk")
CROSS = sorted(name for name, route in ROUTES.items() if set(route.kwargs) & set(NESTED))


def test_urls_with_ids_of_objects_inside_a_project_are_found():
    assert {
        "partnerships:document-download",
        "partnerships:measure-edit",
        "partnerships:partner-edit",
        "partnerships:team-remove",
        "outcomes:report-issue-change",
    } <= set(CROSS), CROSS


@pytest.mark.parametrize("name", CROSS)
def test_another_projects_object_in_this_projects_url_is_404(name, world, clients):
    """/projects/<A>/…/<id of B's object>/: even the administrator (who may do anything
    on either project) and the project's own lead get 404 for every method."""
    route, policy = ROUTES[name], POLICY[name]
    url = reverse(name, kwargs=fill(route, policy, world, "own", sub_side="other"))
    methods = ["post"] if policy.post_only else ["get"] + (["post"] if policy.write else [])
    failures = [
        f"{method.upper()} {url} as {role}: {response.status_code}"
        for role in ("administrator", "partnership_lead")
        for method in methods
        if (response := call(clients[role], method, url)).status_code != 404
    ]
    assert not failures, "\n".join(failures)


# Another project's ids in posted form fields ----------------------------------------------


def _posted(client, url, data, snapshot):
    """Post in a rolled-back savepoint; the response and the snapshot before and after."""
    seen = {}
    try:
        with transaction.atomic():
            seen["before"] = snapshot()
            seen["response"] = client.post(url, data)
            seen["after"] = snapshot()
            raise _Rollback(None)
    except _Rollback:
        pass
    return seen["response"], seen["before"], seen["after"]


def _measure_data(objective, owner):
    return {
        "objective": objective.pk,
        "name": "Admissions avoided",
        "unit": "admissions",
        "direction": "higher",
        "baseline_value": "10",
        "target_value": "20",
        "data_source": "SUS",
        "frequency": "quarterly",
        "owner": owner.pk,
    }


@pytest.mark.parametrize("foreign", ["objective", "owner"])
def test_another_projects_objective_or_partner_in_a_measure_is_refused(world, clients, foreign):
    mine, theirs = world.own.projects["draft"], world.other.projects["draft"]
    objective = (theirs if foreign == "objective" else mine).objectives.first()
    owner = company_partner(theirs if foreign == "owner" else mine)
    url = reverse("partnerships:measure-add", args=[mine.pk])

    def snapshot():
        return sorted(OutcomeMeasure.objects.values_list("pk", "project_id", "objective_id"))

    for role in ("partnership_lead", "administrator"):
        response, before, after = _posted(
            clients[role], url, _measure_data(objective, owner), snapshot
        )
        assert response.status_code == 200, (role, response.status_code)
        assert b"Choose one of this project" in response.content
        assert after == before
    # The same post with this project's own ids is saved: the refusal is the foreign id.
    own = _measure_data(mine.objectives.first(), company_partner(mine))
    response, before, after = _posted(clients["partnership_lead"], url, own, snapshot)
    assert response.status_code == 302 and len(after) == len(before) + 1


def test_another_projects_document_in_an_upload_is_refused(world, clients):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnerships.models import DocumentVersion
    from tests.partnerships.delivery import PDF_BYTES

    mine = world.own.projects["active"]
    url = reverse("partnerships:document-upload", args=[mine.pk])

    def snapshot():
        return sorted(DocumentVersion.objects.values_list("pk", "document_id"))

    for document, refused in (
        (world.other.version.document, True),
        (world.own.version.document, False),
    ):
        upload = SimpleUploadedFile("agreement.pdf", PDF_BYTES, "application/pdf")
        data = {"document": document.pk, "kind": "agreement", "title": "Signed", "file": upload}
        response, before, after = _posted(clients["administrator"], url, data, snapshot)
        if refused:
            assert response.status_code == 200 and after == before
        else:
            assert response.status_code == 302 and len(after) == len(before) + 1


def test_another_icbs_extract_and_another_companys_transfers_are_refused(world, clients):
    from outcomes.models import DisclosureDocument

    def snapshot():
        return DisclosureDocument.objects.count()

    url = reverse("outcomes:disclosure-extracts")
    year = str(timezone.localdate().year)
    response, before, after = _posted(
        clients["panel_member"], url, {"organisation": world.other.icb.pk, "year": year}, snapshot
    )
    assert response.status_code == 200 and after == before
    transfers = reverse("outcomes:transfers-csv")
    assert (
        clients["industry_member"].get(transfers, {"company": world.other.company.pk}).status_code
        == 403
    )
    assert (
        clients["industry_member"].get(transfers, {"company": world.own.company.pk}).status_code
        == 200
    )


def test_a_declaration_through_the_api_for_another_project_is_404(world, clients):
    from governance.models import Declaration

    url = reverse("api:declaration-list")
    for project, want in (
        (world.other.projects["submitted"], 404),
        (world.own.projects["submitted"], 201),
    ):
        body = json.dumps({"project": project.pk, "nil_return": True, "interests": []})

        def snapshot():
            return Declaration.objects.count()

        seen = {}
        try:
            with transaction.atomic():
                seen["before"] = snapshot()
                seen["response"] = clients["deputy"].post(
                    url, body, content_type="application/json"
                )
                seen["after"] = snapshot()
                raise _Rollback(None)
        except _Rollback:
            pass
        assert seen["response"].status_code == want, seen["response"].content
        assert seen["after"] == seen["before"] + (1 if want == 201 else 0)
