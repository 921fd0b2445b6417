"""What each demo project is: four after published 2024 case studies, six more invented for
the demo, each with the state a panel's review leads to and, for three, delivery after
approval. demo/projects.py makes them through the services.

The case studies' organisations and subjects follow the published record; every figure,
date, person and sentence is illustrative demo content, not the published record.
"""

from datetime import date, timedelta

from django.utils import timezone

from partnerships.dates import add_months


def months_ago(months: int) -> date:
    """The first of the month ``months`` before this one. The projects that have started
    are dated from the day the demo is loaded, so that on any day their history is
    one the rules allow: reports due by then submitted, deadlines not yet passed."""
    return add_months(timezone.localdate().replace(day=1), -months)


def last_day_before(day: date) -> date:
    return day - timedelta(days=1)


# Active: started 9 months ago, two quarterly reports submitted, the third (its period just
# ended) a draft, not yet due.
HEART_FAILURE_START = months_ago(9)
# Completed: 18 months of delivery that ended 2 months ago; the final report is being
# drafted, its deadline 4 months away.
OSTEOPOROSIS_START = months_ago(20)
# Closed: a year of delivery that ended over a year ago, its outcome summary published.
HEP_C_START = months_ago(26)

COMMON = {
    "kind": "collaborative",
    "methodology": "A jointly staffed service redesign, with audit before and after.",
    "milestones": "Months 1–3: baseline audit. Months 4–12: new pathway. Months 13–18: evaluation.",
    "evaluation_plan": "Compare the outcome measures with their baselines at 6, 12 and 18 months.",
    "success_criteria": "Each outcome measure reaches its target by the end date.",
    "publication_plan": "The outcome summary is published on the transparency register.",
    "governance_arrangements": "A joint oversight group meets monthly, chaired by the NHS lead.",
    "data_protection": "The NHS organisation is the data controller. The company sees only "
    "aggregated, anonymised figures.",
    "confirm_nhs_data_controller": True,
    "exit_strategy": "Either party may end the project on three months' notice; the NHS keeps "
    "the pathway and all data.",
    "medicines_referenced": "Only medicines recommended in NICE guidance.",
    "confirm_prospective": True,
    "confirm_not_inducement": True,
    "confirm_national_guidance": True,
    "confirm_benefits_organisational": True,
}

PROJECTS = [
    {
        "title": "Improving outcomes for people with diabetes after acute coronary syndrome",
        "lead": "lead@lincolnshire-icb.example",
        "deputy": "deputy@lincolnshire-icb.example",
        "company": "Boehringer Ingelheim",
        "industry": "industry@boehringer.example",
        "state": "approved",
        "therapy_area": "Cardiometabolic",
        "population_need": "People with type 2 diabetes who have had an acute coronary syndrome "
        "are at high risk of another event, and few are reviewed against current guidance.",
        "objectives": [
            "Review every eligible patient within 12 weeks of discharge",
            "Optimise treatment in line with NICE guidance",
        ],
        "measures": [
            (
                "Eligible patients reviewed within 12 weeks of discharge",
                "%",
                "higher",
                "35",
                "90",
                "GP clinical system audit",
                "quarterly",
            ),
            (
                "Eligible patients treated in line with NICE guidance",
                "%",
                "higher",
                "48",
                "85",
                "GP clinical system audit",
                "quarterly",
            ),
        ],
        "summary": "Lincolnshire ICB and Boehringer Ingelheim are working together to review "
        "and optimise care for people with diabetes after a heart attack.",
    },
    {
        "title": "Eliminating hepatitis C among people in contact with drug and alcohol services",
        "lead": "lead@nhs-apa.example",
        "deputy": "deputy@nhs-apa.example",
        "company": "Gilead Sciences",
        "industry": "industry@gilead.example",
        "state": "submitted",
        "therapy_area": "Infectious diseases",
        "population_need": "Many people in contact with drug and alcohol services have hepatitis C "
        "and have never been tested or treated.",
        "objectives": ["Test everyone in treatment services", "Start treatment within four weeks"],
        "measures": [
            (
                "People in treatment services tested for hepatitis C in the last year",
                "%",
                "higher",
                "42",
                "90",
                "Drug and alcohol service records",
                "monthly",
            ),
            (
                "Median time from diagnosis to starting treatment",
                "days",
                "lower",
                "63",
                "28",
                "Hepatitis C operational delivery network data",
                "quarterly",
            ),
        ],
        "summary": "NHS drug and alcohol services and Gilead Sciences are working together to find "
        "and treat hepatitis C among the people they serve.",
    },
    {
        "title": "Improving asthma care",
        "lead": "lead@gm-icb.example",
        "deputy": "deputy@gm-icb.example",
        "company": "AstraZeneca",
        "industry": "industry@astrazeneca.example",
        "state": "changes_requested",
        "therapy_area": "Respiratory",
        "population_need": "Asthma admissions in Greater Manchester are above the "
        "national average.",
        "objectives": ["Review people who rely on reliever inhalers", "Reduce asthma admissions"],
        "measures": [
            (
                "People using 6 or more reliever inhalers a year who have had an asthma review",
                "%",
                "higher",
                "30",
                "80",
                "GP prescribing and clinical system data",
                "quarterly",
            ),
            # Its baseline year is the one the panel asks the team to bring up to date.
            (
                "Emergency admissions for asthma",
                "admissions a year",
                "lower",
                "1520",
                "1220",
                "Secondary Uses Service (SUS) admissions data",
                "quarterly",
                date(2020, 3, 31),
            ),
        ],
        "summary": "Greater Manchester ICB and AstraZeneca are working together to improve asthma "
        "control and reduce admissions.",
    },
    {
        "title": "Improving the front-end skin cancer pathway",
        "lead": "lead@lsc-icb.example",
        "deputy": "deputy@lsc-icb.example",
        "company": "Sanofi",
        "industry": "industry@sanofi.example",
        "state": "draft",
        "therapy_area": "Dermatology",
        "population_need": "Urgent skin cancer referrals have risen faster than "
        "dermatology capacity.",
        "objectives": ["Triage urgent referrals with teledermatology"],
        # A draft: its measure is started, the baseline and data source still to come.
        "measures": [
            (
                "Urgent skin cancer referrals triaged by teledermatology",
                "%",
                "higher",
                None,
                "60",
                "",
                "monthly",
            ),
        ],
        "summary": "",
    },
    # Three more Lincolnshire projects, invented for the demo (not case studies), so that the
    # demo panel has a second project on the register, a rejection and a conflict to manage.
    {
        "title": "Finding undiagnosed chronic kidney disease in primary care",
        "lead": "lead@lincolnshire-icb.example",
        "deputy": "deputy@lincolnshire-icb.example",
        "company": "Boehringer Ingelheim",
        "industry": "industry@boehringer.example",
        "state": "approved",
        "therapy_area": "Renal",
        "population_need": "Many people with diabetes or high blood pressure in Lincolnshire "
        "have never had the kidney tests that guidance recommends.",
        "objectives": ["Test every person at risk once a year", "Code every diagnosis found"],
        "measures": [
            (
                "People at risk with a kidney test (eGFR and urine ACR) in the last year",
                "%",
                "higher",
                "41",
                "80",
                "GP clinical system audit",
                "quarterly",
            ),
            (
                "Expected chronic kidney disease diagnoses coded on practice registers",
                "%",
                "higher",
                "64",
                "85",
                "GP clinical system audit against prevalence estimates",
                "six_monthly",
            ),
        ],
        "summary": "Lincolnshire ICB and Boehringer Ingelheim are working with GP practices to "
        "find people with kidney disease earlier, so they are treated sooner.",
    },
    {
        "title": "A nurse-led clinic for people starting insulin",
        "lead": "lead@lincolnshire-icb.example",
        "deputy": "deputy@lincolnshire-icb.example",
        "company": "Sanofi",
        "industry": "industry@sanofi.example",
        "state": "rejected",
        "therapy_area": "Diabetes",
        "population_need": "People starting insulin wait for an appointment with a diabetes "
        "specialist nurse.",
        "objectives": ["Start insulin within two weeks of the decision to treat"],
        "measures": [
            (
                "Median time from the decision to start insulin to the first dose",
                "days",
                "lower",
                "35",
                "14",
                "Diabetes specialist nursing service records",
                "monthly",
            ),
        ],
        "summary": "Lincolnshire ICB and Sanofi proposed a nurse-led clinic for people "
        "starting insulin.",
    },
    {
        "title": "Supporting people with COPD after a hospital admission",
        "lead": "lead@lincolnshire-icb.example",
        "deputy": "deputy@lincolnshire-icb.example",
        "company": "AstraZeneca",
        "industry": "industry@astrazeneca.example",
        "state": "submitted",
        "therapy_area": "Respiratory",
        "population_need": "Many people admitted to hospital with COPD are admitted again "
        "within 30 days.",
        "objectives": [
            "Review every patient within 72 hours of discharge",
            "Reduce readmissions within 30 days",
        ],
        "measures": [
            (
                "Patients reviewed within 72 hours of discharge",
                "%",
                "higher",
                "22",
                "85",
                "Community respiratory team records",
                "monthly",
            ),
            (
                "Readmissions for COPD within 30 days of discharge",
                "%",
                "lower",
                "19",
                "14",
                "Secondary Uses Service (SUS) admissions data",
                "quarterly",
            ),
        ],
        "summary": "Lincolnshire ICB and AstraZeneca are working together so that people with "
        "COPD are reviewed soon after leaving hospital and are readmitted less often.",
    },
    # Three projects that have started, invented for the demo (demo/outcomes.py
    # delivers them): one active with its outcome reports, one completed and awaiting its
    # final report, one closed with its outcome summary on the register.
    {
        "title": "Finding people with undiagnosed heart failure in the community",
        "lead": "lead@gm-icb.example",
        "deputy": "deputy@gm-icb.example",
        "company": "AstraZeneca",
        "industry": "industry@astrazeneca.example",
        "state": "approved",
        "delivery": "active",
        "start_date": HEART_FAILURE_START,
        "end_date": last_day_before(add_months(HEART_FAILURE_START, 24)),
        "therapy_area": "Cardiovascular",
        "population_need": "Four in five people with heart failure in Greater Manchester are "
        "diagnosed in hospital, often after an emergency admission.",
        "objectives": [
            "Test everyone with suspected heart failure in primary care",
            "See everyone with a raised test result for an echocardiogram promptly",
        ],
        "measures": [
            (
                "People with suspected heart failure who have an NT-proBNP test within 2 weeks",
                "%",
                "higher",
                "42",
                "80",
                "GP clinical system audit",
                "quarterly",
                last_day_before(HEART_FAILURE_START),
            ),
            (
                "People with a raised NT-proBNP who have an echocardiogram within 6 weeks",
                "%",
                "higher",
                "38",
                "75",
                "Community echocardiography service records",
                "quarterly",
                last_day_before(HEART_FAILURE_START),
            ),
        ],
        "summary": "Greater Manchester ICB and AstraZeneca are working with GP practices and "
        "community echocardiography services so that heart failure is found before a crisis.",
        "reports": {
            "written": 3,
            "submitted": 2,
            "progress": 0.9,
            "rags": ["green", "amber", "amber"],
            "narrative": "Testing runs in 41 of 48 practices; echocardiography capacity is the "
            "constraint.",
            "lessons": {
                2: (
                    "Practice pharmacists running the searches found eligible people quickly.",
                    "Letters inviting people for a test had a poor response; texts did better.",
                )
            },
            "issues": {
                2: (
                    "risk",
                    "Two echocardiographers leave in the spring; waits may pass 6 weeks.",
                ),
                3: ("issue", "One practice's data extract failed this quarter."),
            },
            "comments": {
                2: "AstraZeneca can fund locum echocardiography sessions for the spring: "
                "we will raise it at the oversight group."
            },
        },
    },
    {
        "title": "Improving the diagnosis of osteoporosis after a fragility fracture",
        "lead": "lead@lsc-icb.example",
        "deputy": "deputy@lsc-icb.example",
        "company": "Sanofi",
        "industry": "industry@sanofi.example",
        "state": "approved",
        "delivery": "completed",
        "start_date": OSTEOPOROSIS_START,
        "end_date": last_day_before(add_months(OSTEOPOROSIS_START, 18)),
        "therapy_area": "Musculoskeletal",
        "population_need": "Fewer than half of people over 50 who break a bone after a minor "
        "fall are assessed for osteoporosis.",
        "objectives": ["Assess everyone over 50 after a fragility fracture"],
        "measures": [
            (
                "People over 50 assessed for osteoporosis within 12 weeks of a fragility fracture",
                "%",
                "higher",
                "46",
                "80",
                "Fracture liaison service records",
                "quarterly",
                last_day_before(OSTEOPOROSIS_START),
            ),
        ],
        "summary": "Lancashire and South Cumbria ICB and Sanofi are extending the fracture "
        "liaison service so that more people are assessed for osteoporosis after a fracture.",
        "reports": {
            "written": 6,
            "submitted": 6,
            "progress": 0.95,
            "rags": ["green", "green", "amber", "green"],
            "narrative": "The fracture liaison service now covers every emergency department.",
            "lessons": {
                3: (
                    "A shared fracture register between the emergency departments and the "
                    "liaison service.",
                    "Relying on discharge letters to identify fractures missed a third of them.",
                )
            },
        },
        "final": {
            "outcomes_achieved": "Assessments rose from 46% to 78% of eligible people.",
            "benefits_patients": "More people are treated before a second fracture.",
            "benefits_nhs": "A single register of fragility fractures across the ICB.",
        },
    },
    {
        "title": "Hepatitis C testing in needle and syringe programmes",
        "lead": "lead@nhs-apa.example",
        "deputy": "deputy@nhs-apa.example",
        "company": "Gilead Sciences",
        "industry": "industry@gilead.example",
        "state": "approved",
        "delivery": "closed",
        "start_date": HEP_C_START,
        "end_date": last_day_before(add_months(HEP_C_START, 12)),
        "therapy_area": "Infectious diseases",
        "population_need": "Many people who inject drugs use needle and syringe programmes "
        "but are never offered a hepatitis C test there.",
        "objectives": [
            "Offer a test at every needle and syringe programme visit",
            "Start treatment quickly for everyone who tests positive",
        ],
        "measures": [
            (
                "Needle and syringe programme clients tested for hepatitis C in the year",
                "%",
                "higher",
                "22",
                "60",
                "Provider case management system",
                "quarterly",
                last_day_before(HEP_C_START),
            ),
            (
                "Median days from a positive test to starting treatment",
                "days",
                "lower",
                "63",
                "21",
                "Operational delivery network treatment records",
                "quarterly",
                last_day_before(HEP_C_START),
            ),
        ],
        "summary": "The NHS Addictions Provider Alliance and Gilead Sciences offered hepatitis C "
        "testing and treatment in needle and syringe programmes.",
        "reports": {
            "written": 4,
            "submitted": 4,
            "progress": 1.05,
            "rags": ["amber", "green"],
            "narrative": "Dry blood spot testing is offered at every programme site.",
            "lessons": {
                1: (
                    "Peer workers offering the test during the visit.",
                    "Booking a separate appointment for a test: few people came back.",
                )
            },
            "comments": {1: "Gilead's peer support training starts next month."},
        },
        "final": {
            "achieved": 1.05,
            "outcomes_achieved": "Testing rose from 22% to 62% of clients and the median time "
            "to treatment fell from 63 days to 19.",
            "benefits_patients": "412 people were tested for the first time; 57 started "
            "treatment, most within three weeks.",
            "benefits_nhs": "Progress towards eliminating hepatitis C, in a group that services "
            "rarely reach.",
            "benefits_industry": "Evidence of how testing in drug services works in practice.",
            "conclusions": "Testing where people already are works; the model is being "
            "extended to two more providers.",
            "lessons_learned": "Offer the test in the same visit, through peer workers, with "
            "dry blood spot kits; agree the treatment referral route with the operational "
            "delivery network before starting; weekly data returns kept the partners honest.",
            "outcome_summary": "Hepatitis C testing in needle and syringe programmes rose from "
            "22% to 62% of clients over the year, and people who tested positive started "
            "treatment in a median of 19 days instead of 63.",
            "answers": {"variances_resolved": "partly"},
            "comments": {
                "variances_resolved": "Data returns from one provider were late for two "
                "quarters; resolved by a shared template."
            },
        },
    },
]
