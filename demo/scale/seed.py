"""A national-scale data set for the benchmark: ``manage.py seed_scale --projects N``.

42 ICBs and about 150 companies, with people in every role, a panel per ICB, and N projects
spread over ten years and every status, each with what that status implies: partners and
their contributions, a team, objectives and outcome measures, a review with four gates and
their sign-offs, declarations, outcome reports with measure values, final reports, lessons,
the timeline, object permissions, and audit events whose hash chain verify_audit accepts.

People and organisations go in through the ORM (a few hundred rows); everything per
project through COPY (see demo.scale.copy). The same seed gives the same data.
"""

import datetime
import hashlib
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from accounts.models import Membership, Organisation, User
from audit.models import GENESIS, AuditEvent, AuditHead
from demo.scale.copy import Table
from governance.gates import GATES
from governance.models import (
    ConflictManagement,
    Declaration,
    Gate,
    Interest,
    Panel,
    PanelMember,
    Review,
    SignOff,
)
from outcomes.models import FinalReport, Lesson, MeasureValue, OutcomeReport
from partnerships.models import (
    Objective,
    OutcomeMeasure,
    Partner,
    Project,
    ProjectEvent,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    ReferenceCounter,
    TeamMember,
)

S = Project.Status
MARKER_TABLE = "portal_scale_dataset"
# Known credentials, on purpose: they exist only in a benchmark database.
PASSWORD = "Scale-bench-2026"  # noqa: S105  # nosec B105
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105  # nosec B105
COMPANIES = 150
YEARS = 10
FLUSH_EVERY = 2000  # projects generated between COPYs, to bound memory

ICBS = (
    "Bath and North East Somerset, Swindon and Wiltshire",
    "Bedfordshire, Luton and Milton Keynes",
    "Birmingham and Solihull",
    "Black Country",
    "Bristol, North Somerset and South Gloucestershire",
    "Buckinghamshire, Oxfordshire and Berkshire West",
    "Cambridgeshire and Peterborough",
    "Cheshire and Merseyside",
    "Cornwall and the Isles of Scilly",
    "Coventry and Warwickshire",
    "Derby and Derbyshire",
    "Devon",
    "Dorset",
    "Frimley",
    "Gloucestershire",
    "Greater Manchester",
    "Hampshire and Isle of Wight",
    "Herefordshire and Worcestershire",
    "Hertfordshire and West Essex",
    "Humber and North Yorkshire",
    "Kent and Medway",
    "Lancashire and South Cumbria",
    "Leicester, Leicestershire and Rutland",
    "Lincolnshire",
    "Mid and South Essex",
    "Norfolk and Waveney",
    "North Central London",
    "North East and North Cumbria",
    "North East London",
    "North West London",
    "Northamptonshire",
    "Nottingham and Nottinghamshire",
    "Shropshire, Telford and Wrekin",
    "Somerset",
    "South East London",
    "South West London",
    "South Yorkshire",
    "Staffordshire and Stoke-on-Trent",
    "Suffolk and North East Essex",
    "Surrey Heartlands",
    "Sussex",
    "West Yorkshire",
)
COMPANY_WORDS = [
    "Astra",
    "Bio",
    "Novar",
    "Gen",
    "Vita",
    "Medi",
    "Thera",
    "Cura",
    "Pharma",
    "Helix",
    "Zen",
    "Aria",
    "Lumen",
    "Nova",
    "Orbis",
    "Sana",
    "Vero",
    "Kinet",
    "Prax",
    "Alba",
]
COMPANY_ENDINGS = ("Pharma UK Ltd", "Therapeutics Ltd", "Healthcare UK Ltd", "Life Sciences Ltd")
FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Farid",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Leah",
    "Mo",
    "Nadia",
    "Owen",
    "Priya",
    "Rhys",
    "Sara",
    "Tom",
    "Uma",
    "Will",
    "Yasmin",
    "Zac",
]
LAST_NAMES = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Patel",
    "Quinn",
    "Roberts",
    "Smith",
    "Taylor",
    "Walsh",
    "Young",
]
THERAPY_AREAS = (
    "Cardiovascular",
    "Diabetes",
    "Respiratory",
    "Oncology",
    "Mental health",
    "Renal",
    "Dermatology",
    "Ophthalmology",
    "Neurology",
    "Rheumatology",
    "Haematology",
    "Infectious disease",
    "Women's health",
    "Musculoskeletal",
    "Gastroenterology",
)
CONDITIONS = {
    "Cardiovascular": ("heart failure", "atrial fibrillation", "hypertension", "lipids"),
    "Diabetes": ("type 2 diabetes", "diabetic foot disease", "type 1 diabetes"),
    "Respiratory": ("asthma", "COPD", "bronchiectasis"),
    "Oncology": ("lung cancer", "breast cancer", "prostate cancer", "bowel cancer"),
    "Mental health": ("depression", "psychosis", "eating disorders"),
    "Renal": ("chronic kidney disease", "anaemia of kidney disease"),
    "Dermatology": ("psoriasis", "atopic eczema"),
    "Ophthalmology": ("wet macular degeneration", "glaucoma"),
    "Neurology": ("migraine", "multiple sclerosis", "epilepsy"),
    "Rheumatology": ("rheumatoid arthritis", "gout"),
    "Haematology": ("sickle cell disease", "anticoagulation"),
    "Infectious disease": ("hepatitis C", "HIV testing"),
    "Women's health": ("menopause", "osteoporosis"),
    "Musculoskeletal": ("back pain", "hip fracture prevention"),
    "Gastroenterology": ("inflammatory bowel disease", "coeliac disease"),
}
ACTIONS = (
    "Improving the {c} pathway",
    "Earlier diagnosis of {c}",
    "Optimising treatment of {c}",
    "A community {c} service",
    "Reducing admissions for {c}",
    "Case finding for {c}",
)
WORKED = (
    "Clinics in GP practices reached people who do not usually attend hospital appointments.",
    "A named pharmacist in each primary care network kept the searches running.",
    "Sharing the dashboard monthly kept every partner focused on the same measures.",
    "Text message invitations doubled attendance at the review clinics.",
)
DID_NOT = (
    "Data sharing agreements took four months longer than planned.",
    "Staff turnover in two practices stalled recruitment for a quarter.",
    "The first patient questionnaire was too long and few people finished it.",
    "Coding in the practice systems was inconsistent, so the baseline needed rework.",
)
LESSONS = (
    "Agree the data flows before the start date, not after.",
    "Plan for backfill of clinical time from the outset.",
    "Involve patients in designing invitations and materials.",
    "A deputy lead kept the project going through a change of role.",
)

# Shares of projects in each status at any time over ten years (most long since closed).
STATUS_WEIGHTS = (
    (S.DRAFT, 8),
    (S.SUBMITTED, 5),
    (S.CHANGES_REQUESTED, 2),
    (S.APPROVED, 1),
    (S.ACTIVE, 15),
    (S.COMPLETED, 6),
    (S.CLOSED, 55),
    (S.WITHDRAWN, 4),
    (S.REJECTED, 4),
)
DELIVERED = (S.ACTIVE, S.COMPLETED, S.CLOSED)
PUBLIC = (S.APPROVED, *DELIVERED)
REVIEWED = (S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, *DELIVERED, S.REJECTED)
GATE_KINDS = [g.kind for g in GATES]
CRITERIA = {g.kind: [c.key for c in g.criteria] for g in GATES}
LEAD_PERMS = ("view_project", "change_project", "edit_proposal")
MEASURE_NAMES = (
    ("People on the register reviewed in the last year", "%"),
    ("Emergency admissions a year", "admissions"),
    ("People treated to target", "%"),
    ("Average wait for first appointment", "days"),
)


def _utc(day: datetime.date, seconds: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(8), tzinfo=datetime.UTC) + (
        datetime.timedelta(seconds=seconds)
    )


# The marker: which N the database was built with -------------------------------------


def built_with() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT projects FROM {MARKER_TABLE} ORDER BY built_at DESC LIMIT 1")  # noqa: S608  # nosec B608
        row = cursor.fetchone()
    return row[0] if row else None


def _mark(projects: int, seed: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
            "(projects integer NOT NULL, seed integer NOT NULL, built_at timestamptz NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, now())",  # noqa: S608  # nosec B608
            [projects, seed],
        )


# People and organisations (the ORM: a few hundred rows) -------------------------------


@dataclass
class Cast:
    icbs: list[Organisation] = field(default_factory=list)
    companies: list[Organisation] = field(default_factory=list)
    leads: dict[int, list[int]] = field(default_factory=dict)  # ICB -> partnership leads
    panel: dict[int, list[int]] = field(default_factory=dict)  # ICB -> members, chair last
    panel_ids: dict[int, int] = field(default_factory=dict)  # ICB -> panel
    industry: dict[int, list[int]] = field(default_factory=dict)  # company -> members
    auditor: int | None = None
    groups: dict[int, int] = field(default_factory=dict)  # organisation -> group
    emails: dict[int, str] = field(default_factory=dict)


def _people(cast: Cast, rng: random.Random, prefix: str) -> None:
    password = make_password(PASSWORD)
    users, memberships, roles = [], [], []
    n = 0

    def person(organisation, role, domain):
        nonlocal n
        n += 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = User(
            email=f"{prefix}{first}.{last}.{n}@{domain}".lower(),
            first_name=first,
            last_name=last,
            password=password,
            job_title=Membership.Role(role).label,
        )
        users.append(user)
        roles.append((organisation, role))
        return user

    for icb in cast.icbs:
        domain = f"icb{icb.pk}.scale.example"
        for _ in range(3):
            person(icb, Membership.Role.PARTNERSHIP_LEAD, domain)
        for _ in range(4):
            person(icb, Membership.Role.PANEL_MEMBER, domain)
        person(icb, Membership.Role.PANEL_CHAIR, domain)
    for company in cast.companies:
        for _ in range(2):
            person(company, Membership.Role.INDUSTRY_MEMBER, f"company{company.pk}.scale.example")
    person(cast.icbs[0], Membership.Role.AUDITOR, "audit.scale.example")
    User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users
    )
    memberships = [
        Membership(user=u, organisation=o, role=r) for u, (o, r) in zip(users, roles, strict=True)
    ]
    Membership.objects.bulk_create(memberships)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=cast.groups[o.pk])
        for u, (o, _) in zip(users, roles, strict=True)
    )
    panels = {
        icb.pk: Panel(organisation=icb, name=f"{icb.name} governance panel") for icb in cast.icbs
    }
    Panel.objects.bulk_create(panels.values())
    seats = []
    for user, (organisation, role) in zip(users, roles, strict=True):
        cast.emails[user.pk] = user.email
        if role == Membership.Role.PARTNERSHIP_LEAD:
            cast.leads.setdefault(organisation.pk, []).append(user.pk)
        elif role in (Membership.Role.PANEL_MEMBER, Membership.Role.PANEL_CHAIR):
            cast.panel.setdefault(organisation.pk, []).append(user.pk)
            seats.append(
                PanelMember(
                    panel=panels[organisation.pk],
                    user=user,
                    is_chair=role == Membership.Role.PANEL_CHAIR,
                )
            )
        elif role == Membership.Role.INDUSTRY_MEMBER:
            cast.industry.setdefault(organisation.pk, []).append(user.pk)
        else:
            cast.auditor = user.pk
        if role in (Membership.Role.PANEL_MEMBER, Membership.Role.PANEL_CHAIR, "auditor"):
            TOTP.activate(user, TOTP_SECRET)
    PanelMember.objects.bulk_create(seats)
    cast.panel_ids = {pk: panel.pk for pk, panel in panels.items()}
    for icb in cast.icbs:
        icb.partnership_lead_id = cast.leads[icb.pk][0]
    Organisation.objects.bulk_update(cast.icbs, ["partnership_lead"])


def _organisations(rng: random.Random, prefix: str) -> Cast:
    cast = Cast()
    label = f" {prefix.strip('.')}" if prefix else ""
    icbs = [
        Organisation(
            name=f"NHS {name} Integrated Care Board{label}",
            kind=Organisation.Kind.ICB,
            ods_code=f"Y{i:02d}" if not prefix else "",
            town=name.split(",")[0].split(" and ")[0],
            contact_email=f"partnerships@icb{i}.scale.example",
        )
        for i, name in enumerate(ICBS)
    ]
    names = set()
    while len(names) < COMPANIES:
        names.add(
            f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS).lower()} "
            f"{rng.choice(COMPANY_ENDINGS)}{label}"
        )
    companies = [
        Organisation(
            name=name,
            kind=Organisation.Kind.COMPANY,
            companies_house_number=f"9{i:07d}" if not prefix else "",
            contact_email=f"partnerships@company{i}.scale.example",
        )
        for i, name in enumerate(sorted(names))
    ]
    Organisation.objects.bulk_create(icbs + companies)
    groups = [Group(name=f"organisation:{o.pk}") for o in icbs + companies]
    Group.objects.bulk_create(groups)
    for organisation, group in zip(icbs + companies, groups, strict=True):
        organisation.group = group
        cast.groups[organisation.pk] = group.pk
    Organisation.objects.bulk_update(icbs + companies, ["group"])
    cast.icbs, cast.companies = icbs, companies
    _people(cast, rng, prefix)
    return cast


# Projects and everything under them (COPY) ------------------------------------------


class Audit:
    """Appends events to the chain exactly as audit.services.audit_record does, so the
    hashes are those verify_audit recomputes."""

    def __init__(self):
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        self.head = head
        self.seq, self.prev = head.last_seq, head.last_hash or GENESIS
        self.rows, self.count = [], 0
        self.table = Table(
            AuditEvent,
            (
                "seq",
                "created_at",
                "actor_id",
                "actor_label",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "before",
                "after",
                "ip",
                "prev_hash",
                "hash",
            ),
        )

    def add(self, at, actor, email, action, object_type, object_id, text, before, after):
        self.seq += 1
        content = {
            "seq": self.seq,
            "created_at": at.isoformat(),
            "actor": actor,
            "actor_label": email if actor else "system",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": text[:300],
            "before": before,
            "after": after,
            "ip": None,
            "prev_hash": self.prev,
        }
        digest = hashlib.sha256(
            json.dumps(
                content, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":")
            ).encode()
        ).hexdigest()
        self.rows.append(
            (
                self.seq,
                at,
                actor,
                content["actor_label"],
                action,
                object_type,
                str(object_id),
                content["object_repr"],
                before,
                after,
                None,
                self.prev,
                digest,
            )
        )
        self.prev = digest

    def flush(self) -> None:
        self.count += self.table.copy(self.rows)
        self.rows.clear()

    def finish(self) -> int:
        self.flush()
        self.table.move_sequence()
        AuditHead.objects.filter(id=1).update(
            last_seq=self.seq, last_hash=self.prev, count=self.head.count + self.count
        )
        return self.count


class Ids:
    """Ids for a model's new rows, from above the highest in its table."""

    def __init__(self, table: Table):
        self.next = table.next_id()

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _status(rng: random.Random, created: datetime.date, today: datetime.date) -> str:
    """A status fitting the project's age: recent projects are earlier in their life."""
    age = (today - created).days
    if age < 60:
        return rng.choice((S.DRAFT, S.DRAFT, S.SUBMITTED, S.SUBMITTED, S.CHANGES_REQUESTED))
    if age < 200:
        return rng.choice((S.DRAFT, S.SUBMITTED, S.APPROVED, S.ACTIVE, S.ACTIVE, S.WITHDRAWN))
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    status = rng.choices(statuses, weights)[0]
    # Nothing waits on the panel, or to start, for long; delivery lasts up to two years.
    if status in (S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED):
        status = S.ACTIVE
    if age > 3 * 365 and status in (S.ACTIVE, S.COMPLETED):
        status = S.CLOSED
    return status


def seed(
    *, projects: int, seed: int = 2026, years: int = YEARS, prefix: str = "", today=None, log=print
) -> dict:
    """Build the data set in one transaction, the projects started over ``years`` years to
    ``today``. ``prefix`` keeps names apart when it is built more than once in one database."""
    # Made-up data, not secrets: a seeded generator makes the same data set every time.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    today = today or datetime.date.today()
    with transaction.atomic():
        cast = _organisations(rng, prefix)
        log(f"{len(cast.icbs)} ICBs, {len(cast.companies)} companies, people and panels")
        counts = _projects(rng, cast, projects, today, years, log)
        _mark(projects, seed)
    return counts


def _projects(rng, cast: Cast, n: int, today: datetime.date, years: int, log) -> dict:
    perm = {
        p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="partnerships")
    }
    audit = Audit()
    tables = {model: Table(model, attnames) for model, attnames in _ATTNAMES.items()}
    ids = {model: Ids(table) for model, table in tables.items()}
    counts = dict.fromkeys((m._meta.label for m in tables), 0)
    rows = {m: [] for m in ids}
    counters: dict[int, int] = {
        c.year: c.last for c in ReferenceCounter.objects.select_for_update()
    }
    icb_weights = [rng.uniform(0.4, 1.6) for _ in cast.icbs]
    company_weights = [rng.paretovariate(1.5) for _ in cast.companies]
    start_day = today - datetime.timedelta(days=365 * years)
    span = (today - start_day).days
    created_days = sorted(
        start_day + datetime.timedelta(days=rng.randrange(span)) for _ in range(n)
    )
    project_type = "partnerships.project"

    def flush():
        for model, table in tables.items():
            counts[model._meta.label] += table.copy(rows[model])
            rows[model].clear()
        audit.flush()

    for done, created in enumerate(created_days, 1):
        if done % FLUSH_EVERY == 0:
            flush()
            log(f"{done} projects")
        R = rows
        pk = ids[Project].take()
        icb = rng.choices(cast.icbs, icb_weights)[0]
        lead, deputy = rng.sample(cast.leads[icb.pk], 2)
        status = _status(rng, created, today)
        area = rng.choice(THERAPY_AREAS)
        condition = rng.choice(CONDITIONS[area])
        title = rng.choice(ACTIONS).format(c=condition) + f" in {icb.town}"
        title = title[0].upper() + title[1:]
        partners = rng.choices(cast.companies, company_weights, k=rng.choice((1, 1, 2)))
        partners = list({c.pk: c for c in partners}.values())
        created_at = _utc(created, rng.randrange(36000))
        submitted = status not in (S.DRAFT,) and not (status == S.WITHDRAWN and rng.random() < 0.5)
        submitted_at = (
            _utc(created + datetime.timedelta(days=rng.randrange(14, 45))) if submitted else None
        )
        if submitted_at and submitted_at.date() > today:
            submitted_at = _utc(today)
        reference = None
        if submitted:
            year = submitted_at.year
            counters[year] = counters.get(year, 0) + 1
            reference = f"CW-{year}-{counters[year]:04d}"
        decided = (
            submitted_at + datetime.timedelta(days=rng.randrange(20, 60)) if submitted else None
        )
        if decided and decided.date() > today:
            decided = _utc(today)
        start = (decided or created_at).date() + datetime.timedelta(days=rng.randrange(14, 60))
        end = start + datetime.timedelta(days=rng.choice((365, 545, 730)))
        if status in (S.COMPLETED, S.CLOSED) and end >= today:
            end = today - datetime.timedelta(days=rng.randrange(1, 120))
            start = min(start, end - datetime.timedelta(days=180))
        if status in DELIVERED and start > today:
            start = today
        published = decided if status in PUBLIC else None
        ended = end if status in (S.COMPLETED, S.CLOSED) else None
        closed_at = (
            _utc(min(end + datetime.timedelta(days=rng.randrange(60, 170)), today))
            if status == S.CLOSED
            else None
        )
        summary = (
            f"{icb.name} and {', '.join(c.name for c in partners)} are working together on "
            f"{condition}: finding people earlier, reviewing their treatment against national "
            f"guidance and measuring what changes for patients. {area} is a priority in the "
            f"ICB's joint forward plan."
        )
        outcome_summary = (
            f"The project reviewed people with {condition} in {icb.town}; most measures met "
            "their targets and the service continues under NHS funding."
            if status == S.CLOSED
            else ""
        )
        updated_at = max(x for x in (created_at, submitted_at, decided, closed_at) if x)
        filled = status != S.DRAFT or rng.random() < 0.5
        text = "" if not filled else f"Detail of the plan for {condition}."
        R[Project].append(
            (
                pk,
                reference,
                status,
                icb.pk,
                lead,
                title,
                Project.Kind.COLLABORATIVE,
                area,
                start,
                end,
                f"People in {icb.town} with {condition} are diagnosed late and treated unevenly."
                if filled
                else "",
                text,
                text,
                text,
                text,
                text,
                text,
                text,
                text,
                text,
                text,
                text,
                text,
                filled,
                text,
                filled,
                filled,
                filled,
                filled,
                summary if filled else "",
                published,
                ended,
                outcome_summary,
                closed_at,
                submitted_at,
                created_at,
                updated_at,
            )
        )
        label = f"{reference} {title}" if reference else title
        audit.add(
            created_at,
            lead,
            cast.emails[lead],
            "project.create",
            project_type,
            pk,
            label,
            {},
            {"description": "Proposal started", "status": "draft"},
        )
        audit.add(
            created_at,
            None,
            "",
            "permission.grant",
            project_type,
            pk,
            label,
            {},
            {"user": cast.emails[lead], "permissions": list(LEAD_PERMS)},
        )
        R[ProjectEvent].append(
            (
                ids[ProjectEvent].take(),
                pk,
                lead,
                "create",
                "Proposal started",
                "",
                "draft",
                "",
                created_at,
            )
        )

        # Partners, their contributions, and who may see the project.
        partner_ids = []
        for organisation, is_lead in [(icb, True)] + [(c, False) for c in partners]:
            ppk = ids[Partner].take()
            partner_ids.append(ppk)
            R[Partner].append(
                (
                    ppk,
                    pk,
                    organisation.pk,
                    is_lead,
                    "Accountable lead",
                    "Director",
                    Decimal(rng.randrange(0, 200) * 500),
                    "Clinical and project management time"
                    if is_lead
                    else "Data analysis and service redesign support",
                    Decimal(rng.randrange(5, 120) * 500),
                    created_at,
                    created_at,
                )
            )
            R[ProjectGroupObjectPermission].append(
                (
                    ids[ProjectGroupObjectPermission].take(),
                    perm["view_project"],
                    cast.groups[organisation.pk],
                    pk,
                )
            )
            audit.add(
                created_at,
                None,
                "",
                "permission.grant",
                project_type,
                pk,
                label,
                {},
                {"organisation": organisation.name, "permissions": ["view_project"]},
            )
        # The team: the lead, the deputy and a member from the first company.
        industry = rng.choice(cast.industry[partners[0].pk])
        for user, organisation, role in (
            (lead, icb.pk, TeamMember.Role.LEAD),
            (deputy, icb.pk, TeamMember.Role.DEPUTY),
            (industry, partners[0].pk, TeamMember.Role.MEMBER),
        ):
            R[TeamMember].append((ids[TeamMember].take(), pk, user, organisation, role, created_at))
            if role != TeamMember.Role.MEMBER:
                for codename in LEAD_PERMS:
                    R[ProjectUserObjectPermission].append(
                        (ids[ProjectUserObjectPermission].take(), perm[codename], user, pk)
                    )
        # Objectives and their outcome measures (agreed before approval).
        measures = []
        for number in (1, 2):
            opk = ids[Objective].take()
            R[Objective].append((opk, pk, number, f"Objective {number} for {condition}"))
            name, unit = MEASURE_NAMES[(number - 1) * 2 + rng.randrange(2)]
            mpk = ids[OutcomeMeasure].take()
            measures.append(mpk)
            R[OutcomeMeasure].append(
                (
                    mpk,
                    pk,
                    opk,
                    name,
                    unit,
                    "higher" if unit == "%" else "lower",
                    Decimal(rng.randrange(20, 60)),
                    start,
                    Decimal(rng.randrange(60, 90)),
                    end,
                    "GP practice systems",
                    "quarterly",
                    partner_ids[0],
                    created_at,
                    created_at,
                )
            )

        if not submitted:
            if status == S.WITHDRAWN:
                _transition(
                    R,
                    ids,
                    audit,
                    cast,
                    pk,
                    label,
                    lead,
                    created_at + datetime.timedelta(days=20),
                    "withdraw",
                    "Withdrawn",
                    "draft",
                    status,
                )
            continue
        _transition(
            R,
            ids,
            audit,
            cast,
            pk,
            label,
            lead,
            submitted_at,
            "submit",
            "Submitted",
            "draft",
            "submitted",
        )
        # The review: four gates, the panel's sign-offs and everyone's declarations.
        panel = cast.panel[icb.pk]
        R[Review].append((ids[Review].take(), pk, cast.panel_ids[icb.pk], False, submitted_at))
        team = (
            (lead, Declaration.Role.TEAM_MEMBER),
            (deputy, Declaration.Role.TEAM_MEMBER),
            (industry, Declaration.Role.TEAM_MEMBER),
        )
        for offset, (person, role) in enumerate(
            team + tuple((p, Declaration.Role.REVIEWER) for p in panel)
        ):
            at = submitted_at + datetime.timedelta(hours=offset + 1)
            if status == S.SUBMITTED and role == Declaration.Role.REVIEWER and rng.random() < 0.4:
                continue  # some reviewers have not declared yet
            dpk = ids[Declaration].take()
            interest = rng.random() < 0.03
            R[Declaration].append((dpk, person, pk, role, not interest, at, None, at))
            audit.add(
                at,
                person,
                cast.emails[person],
                "declaration.record",
                "governance.declaration",
                dpk,
                f"Declaration for {label}",
                {},
                {"nil_return": not interest},
            )
            if interest:
                ipk = ids[Interest].take()
                R[Interest].append(
                    (
                        ipk,
                        dpk,
                        "non_financial_professional",
                        "consultancy",
                        f"Advisory board on {condition}",
                        partners[0].name,
                        created,
                        None,
                        created,
                    )
                )
                R[ConflictManagement].append(
                    (
                        ids[ConflictManagement].take(),
                        ipk,
                        "Excluded from the discussion and the decision",
                        True,
                        panel[-1],
                        at,
                    )
                )
        rejected_kind = rng.choice(GATE_KINDS) if status == S.REJECTED else None
        changes_kind = rng.choice(GATE_KINDS) if status == S.CHANGES_REQUESTED else None
        for g, kind in enumerate(GATE_KINDS):
            gpk = ids[Gate].take()
            reviewers = [p for p in panel if rng.random() < 0.9][:3] or panel[:2]
            if status == S.SUBMITTED:
                gstatus = rng.choice(
                    (Gate.Status.PENDING, Gate.Status.IN_REVIEW, Gate.Status.APPROVED)
                )
                decisions = {
                    Gate.Status.PENDING: [],
                    Gate.Status.IN_REVIEW: ["approve"],
                    Gate.Status.APPROVED: ["approve", "approve"],
                }[gstatus]
                opened = submitted_at
            else:
                opened = submitted_at
                if kind == rejected_kind:
                    gstatus, decisions = Gate.Status.REJECTED, ["reject"]
                elif kind == changes_kind:
                    gstatus, decisions = Gate.Status.CHANGES_REQUESTED, ["request_changes"]
                elif status in (S.REJECTED, S.CHANGES_REQUESTED):
                    gstatus = rng.choice((Gate.Status.APPROVED, Gate.Status.IN_REVIEW))
                    decisions = (
                        ["approve", "approve"] if gstatus == Gate.Status.APPROVED else ["approve"]
                    )
                else:
                    gstatus, decisions = Gate.Status.APPROVED, ["approve", "approve"]
            round_ = 1
            if gstatus == Gate.Status.APPROVED and rng.random() < 0.2:
                decisions = ["request_changes", *decisions]
            gate_decided = None
            for d, decision in enumerate(decisions):
                reviewer = reviewers[d % len(reviewers)]
                if d == 1 and decisions[0] == "request_changes":
                    round_ = 2
                at = opened + datetime.timedelta(days=d + 1, hours=g)
                gate_decided = at
                R[SignOff].append(
                    (
                        ids[SignOff].take(),
                        gpk,
                        reviewer,
                        round_,
                        decision,
                        "" if decision == "approve" else "Please say more about the exit strategy.",
                        {k: {"met": decision == "approve", "comment": ""} for k in CRITERIA[kind]},
                        False,
                        at,
                    )
                )
                audit.add(
                    at,
                    reviewer,
                    cast.emails[reviewer],
                    "gate.sign_off",
                    "governance.gate",
                    gpk,
                    f"{kind} gate of {label}",
                    {},
                    {"decision": decision, "round": round_},
                )
            final = gstatus in (
                Gate.Status.APPROVED,
                Gate.Status.REJECTED,
                Gate.Status.CHANGES_REQUESTED,
            )
            R[Gate].append(
                (
                    gpk,
                    pk,
                    kind,
                    gstatus,
                    round_,
                    opened,
                    gate_decided if final else None,
                    "0" * 64 if gstatus == Gate.Status.APPROVED else "",
                    gate_decided or opened,
                )
            )
        if status in (S.SUBMITTED,):
            continue
        if status in (S.REJECTED, S.CHANGES_REQUESTED):
            action = "reject" if status == S.REJECTED else "request_changes"
            _transition(
                R,
                ids,
                audit,
                cast,
                pk,
                label,
                panel[-1],
                decided,
                action,
                S(status).label,
                "submitted",
                status,
            )
            continue
        if status == S.WITHDRAWN:
            _transition(
                R,
                ids,
                audit,
                cast,
                pk,
                label,
                lead,
                decided,
                "withdraw",
                "Withdrawn",
                "submitted",
                status,
            )
            continue
        _transition(
            R,
            ids,
            audit,
            cast,
            pk,
            label,
            None,
            decided,
            "approve",
            "Approved",
            "submitted",
            "approved",
        )
        if status == S.APPROVED:
            continue
        began = _utc(start)
        _transition(
            R, ids, audit, cast, pk, label, lead, began, "activate", "Started", "approved", "active"
        )
        # Quarterly outcome reports while delivering.
        period_start, last = start, min(end, today)
        while True:
            period_end = period_start + datetime.timedelta(days=91)
            if period_end > last:
                break
            due = period_end + datetime.timedelta(days=30)
            rpk = ids[OutcomeReport].take()
            done = due <= today or rng.random() < 0.5
            at = _utc(min(due, today))
            share = done and rng.random() < 0.08
            R[OutcomeReport].append(
                (
                    rpk,
                    pk,
                    period_start,
                    period_end,
                    due,
                    "submitted" if done else "draft",
                    rng.choice(("green", "green", "green", "amber")) if done else "",
                    "On track" if done else "",
                    f"Progress on {condition} this quarter.",
                    rng.choice(WORKED),
                    rng.choice(DID_NOT),
                    share,
                    lead if done else None,
                    at if done else None,
                    at,
                    at,
                )
            )
            for mpk in measures:
                R[MeasureValue].append(
                    (ids[MeasureValue].take(), rpk, mpk, Decimal(rng.randrange(20, 95)))
                )
            if done:
                audit.add(
                    at,
                    lead,
                    cast.emails[lead],
                    "outcome_report.submit",
                    "outcomes.outcomereport",
                    rpk,
                    f"Report to {period_end:%d %B %Y} on {label}",
                    {"status": "draft"},
                    {"status": "submitted"},
                )
            if share:
                R[Lesson].append(
                    (
                        ids[Lesson].take(),
                        pk,
                        "report",
                        None,
                        rpk,
                        rng.choice(WORKED),
                        rng.choice(DID_NOT),
                        "",
                        title,
                        at,
                    )
                )
            period_start = period_end + datetime.timedelta(days=1)
        if status == S.ACTIVE:
            continue
        _transition(
            R,
            ids,
            audit,
            cast,
            pk,
            label,
            lead,
            _utc(end),
            "complete",
            "Delivery completed",
            "active",
            "completed",
        )
        if status == S.COMPLETED and rng.random() < 0.5:
            continue
        fpk = ids[FinalReport].take()
        published_final = status == S.CLOSED
        lessons = rng.choice(LESSONS)
        R[FinalReport].append(
            (
                fpk,
                pk,
                "published" if published_final else "draft",
                f"The project set out to improve care for people with {condition}.",
                "Most measures met their targets.",
                "Earlier treatment.",
                "Fewer admissions.",
                "Better understanding of the pathway.",
                *(["yes", ""] * 6),
                "The service continues.",
                lessons,
                outcome_summary,
                lead if published_final else None,
                closed_at,
                _utc(end),
                closed_at or _utc(end),
            )
        )
        if published_final:
            R[Lesson].append(
                (ids[Lesson].take(), pk, "final", fpk, None, "", "", lessons, title, closed_at)
            )
            _transition(
                R,
                ids,
                audit,
                cast,
                pk,
                label,
                lead,
                closed_at,
                "close",
                "Closed",
                "completed",
                "closed",
            )

    flush()
    for table in tables.values():
        table.move_sequence()
    for year, last in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    counts["audit.AuditEvent"] = audit.finish()
    log(", ".join(f"{label}: {count}" for label, count in counts.items()))
    return counts


def _transition(R, ids, audit, cast, pk, label, actor, at, action, description, old, new):
    R[ProjectEvent].append(
        (ids[ProjectEvent].take(), pk, actor, action, description, old, new, "", at)
    )
    audit.add(
        at,
        actor,
        cast.emails.get(actor, ""),
        f"project.{action}",
        "partnerships.project",
        pk,
        label,
        {"status": old},
        {"description": description, "status": new},
    )


_ATTNAMES = {
    Project: (
        "id",
        "reference",
        "status",
        "lead_organisation_id",
        "created_by_id",
        "title",
        "kind",
        "therapy_area",
        "start_date",
        "end_date",
        "population_need",
        "background",
        "aims",
        "benefits_patients",
        "benefits_nhs",
        "benefits_industry",
        "methodology",
        "milestones",
        "evaluation_plan",
        "success_criteria",
        "publication_plan",
        "governance_arrangements",
        "data_protection",
        "confirm_nhs_data_controller",
        "exit_strategy",
        "confirm_prospective",
        "confirm_not_inducement",
        "confirm_national_guidance",
        "confirm_benefits_organisational",
        "executive_summary",
        "summary_published_at",
        "delivery_ended_on",
        "outcome_summary",
        "outcome_summary_published_at",
        "submitted_at",
        "created_at",
        "updated_at",
    ),
    Partner: (
        "id",
        "project_id",
        "organisation_id",
        "is_lead",
        "accountable_lead_name",
        "accountable_lead_job_title",
        "financial_contribution",
        "in_kind_description",
        "in_kind_value",
        "created_at",
        "updated_at",
    ),
    ProjectGroupObjectPermission: ("id", "permission_id", "group_id", "content_object_id"),
    ProjectUserObjectPermission: ("id", "permission_id", "user_id", "content_object_id"),
    TeamMember: ("id", "project_id", "user_id", "organisation_id", "role", "created_at"),
    Objective: ("id", "project_id", "number", "description"),
    OutcomeMeasure: (
        "id",
        "project_id",
        "objective_id",
        "name",
        "unit",
        "direction",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "data_source",
        "frequency",
        "owner_id",
        "created_at",
        "updated_at",
    ),
    ProjectEvent: (
        "id",
        "project_id",
        "actor_id",
        "action",
        "description",
        "from_status",
        "to_status",
        "reason",
        "created_at",
    ),
    Review: ("id", "project_id", "panel_id", "low_risk", "opened_at"),
    Gate: (
        "id",
        "project_id",
        "kind",
        "status",
        "round",
        "opened_at",
        "decided_at",
        "approved_fingerprint",
        "updated_at",
    ),
    SignOff: (
        "id",
        "gate_id",
        "reviewer_id",
        "round",
        "decision",
        "comment",
        "criteria",
        "low_risk_route",
        "created_at",
    ),
    Declaration: (
        "id",
        "person_id",
        "project_id",
        "role",
        "nil_return",
        "declared_at",
        "year",
        "created_at",
    ),
    Interest: (
        "id",
        "declaration_id",
        "category",
        "interest_type",
        "description",
        "organisation_name",
        "start_date",
        "end_date",
        "became_aware_on",
    ),
    ConflictManagement: (
        "id",
        "interest_id",
        "action",
        "excludes_from_decision",
        "recorded_by_id",
        "recorded_at",
    ),
    OutcomeReport: (
        "id",
        "project_id",
        "period_start",
        "period_end",
        "due_date",
        "status",
        "rag",
        "rag_reason",
        "narrative",
        "what_worked",
        "what_did_not",
        "share_lessons",
        "submitted_by_id",
        "submitted_at",
        "created_at",
        "updated_at",
    ),
    MeasureValue: ("id", "report_id", "measure_id", "value"),
    FinalReport: (
        "id",
        "project_id",
        "status",
        "overview",
        "outcomes_achieved",
        "benefits_patients",
        "benefits_nhs",
        "benefits_industry",
        "vision_sustained",
        "vision_sustained_comment",
        "contributions_made",
        "contributions_made_comment",
        "variances_resolved",
        "variances_resolved_comment",
        "each_benefited",
        "each_benefited_comment",
        "trust_maintained",
        "trust_maintained_comment",
        "supports_scaling",
        "supports_scaling_comment",
        "conclusions",
        "lessons_learned",
        "outcome_summary",
        "published_by_id",
        "published_at",
        "created_at",
        "updated_at",
    ),
    Lesson: (
        "id",
        "project_id",
        "source",
        "final_report_id",
        "outcome_report_id",
        "what_worked",
        "what_did_not",
        "lessons",
        "project_title",
        "shared_at",
    ),
}
