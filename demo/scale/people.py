"""The national-scale data set's organisations and people, through the ORM (a few hundred
rows): 42 ICBs with their partnership leads, panel and auditor, and about 150 companies with
their industry members, each organisation's group, and each ICB's panel."""

import random
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import Membership, Organisation, User
from demo.scale.words import COMPANY_ENDINGS, COMPANY_WORDS, FIRST_NAMES, ICBS, LAST_NAMES
from governance.models import Panel, PanelMember

# Known credentials, on purpose: they exist only in a benchmark database.
PASSWORD = "Scale-bench-2026"  # noqa: S105  # nosec B105
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105  # nosec B105
COMPANIES = 150


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


def people(cast: Cast, rng: random.Random, prefix: str) -> None:
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


def organisations(rng: random.Random, prefix: str) -> Cast:
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
    people(cast, rng, prefix)
    return cast


# Projects and everything under them (COPY) ------------------------------------------
