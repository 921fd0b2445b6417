"""The demo cast and organisations, shared by seed_demo, runportal and demo_code.

Organisations are those of real, published collaborative working case studies
(2024). People are fictional; their email addresses use the reserved .example
domain so nothing can reach a real mailbox.
"""

DEMO_PASSWORD = "Partnership-demo-2026"  # noqa: S105 - demo accounts only, refused unless PORTAL_DEMO
# Base32 secret of the demo authenticator, for roles that need MFA.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105 - demo accounts only

ORGANISATIONS = [
    {
        "name": "NHS Lincolnshire Integrated Care Board",
        "kind": "icb",
        "ods_code": "QJM",
        "contact_email": "partnerships@lincolnshire-icb.example",
    },
    {
        "name": "NHS Greater Manchester Integrated Care Board",
        "kind": "icb",
        "ods_code": "QOP",
        "contact_email": "industry.partnerships@gm-icb.example",
    },
    {
        "name": "NHS Lancashire and South Cumbria Integrated Care Board",
        "kind": "icb",
        "ods_code": "QE1",
        "contact_email": "partnerships@lsc-icb.example",
    },
    {
        "name": "NHS Addictions Provider Alliance",
        "kind": "other_nhs",
        "contact_email": "hello@nhs-apa.example",
    },
    {"name": "Boehringer Ingelheim", "kind": "company"},
    {"name": "Gilead Sciences", "kind": "company"},
    {"name": "AstraZeneca", "kind": "company"},
    {"name": "Sanofi", "kind": "company"},
    {"name": "Independent Audit Services", "kind": "other"},
]

# (email, first, last, job title, organisation, role, administrator?)
USERS = [
    (
        "lead@lincolnshire-icb.example",
        "Priya",
        "Shah",
        "Head of Partnerships",
        "NHS Lincolnshire Integrated Care Board",
        "partnership_lead",
        False,
    ),
    (
        "deputy@lincolnshire-icb.example",
        "Tom",
        "Hughes",
        "Deputy Head of Partnerships",
        "NHS Lincolnshire Integrated Care Board",
        "partnership_lead",
        False,
    ),
    (
        "lead@gm-icb.example",
        "Amara",
        "Okafor",
        "Industry Partnerships Manager",
        "NHS Greater Manchester Integrated Care Board",
        "partnership_lead",
        False,
    ),
    (
        "lead@lsc-icb.example",
        "Gareth",
        "Jones",
        "Associate Director, Partnerships",
        "NHS Lancashire and South Cumbria Integrated Care Board",
        "partnership_lead",
        False,
    ),
    (
        "lead@nhs-apa.example",
        "Sarah",
        "Mitchell",
        "Programme Director",
        "NHS Addictions Provider Alliance",
        "partnership_lead",
        False,
    ),
    (
        "industry@boehringer.example",
        "Daniel",
        "Weber",
        "Head of NHS Partnerships",
        "Boehringer Ingelheim",
        "industry_member",
        False,
    ),
    (
        "industry@gilead.example",
        "Laura",
        "Bennett",
        "Public Health Partnerships Lead",
        "Gilead Sciences",
        "industry_member",
        False,
    ),
    (
        "industry@astrazeneca.example",
        "James",
        "Carter",
        "Healthcare Partnerships Director",
        "AstraZeneca",
        "industry_member",
        False,
    ),
    (
        "industry@sanofi.example",
        "Chloe",
        "Martin",
        "NHS Collaboration Manager",
        "Sanofi",
        "industry_member",
        False,
    ),
    (
        "panel@lincolnshire-icb.example",
        "Helen",
        "Clarke",
        "Chief Pharmacist",
        "NHS Lincolnshire Integrated Care Board",
        "panel_member",
        False,
    ),
    (
        "panel2@lincolnshire-icb.example",
        "Rajesh",
        "Patel",
        "Governance Manager",
        "NHS Lincolnshire Integrated Care Board",
        "panel_member",
        False,
    ),
    (
        "chair@lincolnshire-icb.example",
        "Margaret",
        "Evans",
        "Director of Corporate Affairs",
        "NHS Lincolnshire Integrated Care Board",
        "panel_chair",
        False,
    ),
    (
        "auditor@audit.example",
        "Oliver",
        "Grant",
        "Internal Audit Manager",
        "Independent Audit Services",
        "auditor",
        False,
    ),
    ("admin@portal.example", "Alex", "Morgan", "Portal administrator", None, None, True),
    (
        "deputy@gm-icb.example",
        "Kieran",
        "Doyle",
        "Respiratory Programme Manager",
        "NHS Greater Manchester Integrated Care Board",
        "partnership_lead",
        False,
    ),
    (
        "deputy@lsc-icb.example",
        "Fiona",
        "Walsh",
        "Dermatology Pathway Lead",
        "NHS Lancashire and South Cumbria Integrated Care Board",
        "partnership_lead",
        False,
    ),
    (
        "deputy@nhs-apa.example",
        "Ben",
        "Ashworth",
        "Hepatitis C Elimination Lead",
        "NHS Addictions Provider Alliance",
        "partnership_lead",
        False,
    ),
    # The governance panels of the other NHS lead organisations (demo/governance.py).
    (
        "chair@gm-icb.example",
        "Nadia",
        "Hussain",
        "Director of Governance",
        "NHS Greater Manchester Integrated Care Board",
        "panel_chair",
        False,
    ),
    (
        "panel@gm-icb.example",
        "Colin",
        "Brierley",
        "Medicines Optimisation Lead",
        "NHS Greater Manchester Integrated Care Board",
        "panel_member",
        False,
    ),
    (
        "panel2@gm-icb.example",
        "Grace",
        "Adeyemi",
        "Clinical Governance Manager",
        "NHS Greater Manchester Integrated Care Board",
        "panel_member",
        False,
    ),
    (
        "chair@lsc-icb.example",
        "Eleanor",
        "Whitfield",
        "Director of Corporate Governance",
        "NHS Lancashire and South Cumbria Integrated Care Board",
        "panel_chair",
        False,
    ),
    (
        "panel@lsc-icb.example",
        "Mark",
        "Sutcliffe",
        "Head of Medicines Optimisation",
        "NHS Lancashire and South Cumbria Integrated Care Board",
        "panel_member",
        False,
    ),
    (
        "panel2@lsc-icb.example",
        "Aisha",
        "Rahman",
        "Governance Officer",
        "NHS Lancashire and South Cumbria Integrated Care Board",
        "panel_member",
        False,
    ),
    (
        "chair@nhs-apa.example",
        "Robert",
        "Kenyon",
        "Medical Director",
        "NHS Addictions Provider Alliance",
        "panel_chair",
        False,
    ),
    (
        "panel@nhs-apa.example",
        "Joanne",
        "Price",
        "Lead Pharmacist",
        "NHS Addictions Provider Alliance",
        "panel_member",
        False,
    ),
    (
        "panel2@nhs-apa.example",
        "Samuel",
        "Osei",
        "Quality and Governance Lead",
        "NHS Addictions Provider Alliance",
        "panel_member",
        False,
    ),
]

# One of each role, for the sign-in list that `make run` prints.
SIGN_IN_LIST = [
    ("Partnership lead", "lead@lincolnshire-icb.example"),
    ("Industry member", "industry@boehringer.example"),
    ("Panel member", "panel@lincolnshire-icb.example"),
    ("Panel chair", "chair@lincolnshire-icb.example"),
    ("Auditor", "auditor@audit.example"),
    ("Administrator", "admin@portal.example"),
]


def current_totp_code() -> str:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counters[len(counters) // 2]))
