"""make bench: the portal at national scale, measured so anyone can reproduce it.

Builds (or reuses) the seed_scale data set in its own database, starts the portal under
gunicorn with PORTAL_BENCH=1, drives each key page from wrk on loopback, then times a
project disclosure PDF, a 1,000-project register extract PDF, the daily reminder sweep and
verify_audit. Writes bench/results.json and prints a table.

Settings (environment): BENCH_PROJECTS (100000), BENCH_DATABASE (portal_bench_data),
BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432), BENCH_REDIS (redis://127.0.0.1:6379/11),
BENCH_CONNECTIONS (16), BENCH_SECONDS (10 per page), BENCH_WORKERS (2 × cores + 1),
BENCH_PORT (8765).
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results.json"

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "100000"))
DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench_data")
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/11")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CORES = os.cpu_count() or 1
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * CORES + 1)))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"

TARGETS = {
    "p95_ms": 150,
    "vs_floor": 0.5,
    "project_pdf_s": 1.0,
    "reminder_sweep_s": 5.0,
    "verify_audit_events_per_s": 100_000,
    "compliance_check_s": 60.0,
}

ENV = {
    **os.environ,
    "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
    "DATABASE_CONN_MAX_AGE": "60",
    "REDIS_URL": REDIS,
    "CACHE_URL": REDIS.rsplit("/", 1)[0] + "/" + str(int(REDIS.rsplit("/", 1)[1]) + 1),
    "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
    "DJANGO_DEBUG": "0",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "PORTAL_DEMO": "0",
    "PORTAL_BENCH": "1",
    "PORTAL_SITE_URL": BASE,
    "PORTAL_MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
    "DJANGO_SETTINGS_MODULE": "portal.settings",
}


def say(text: str) -> None:
    print(text, flush=True)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def psql(sql: str) -> str:
    out = subprocess.run(
        ["psql", "-qtAX", f"{POSTGRES}/postgres", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def built_with() -> int | None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":
        return None
    out = subprocess.run(
        ["psql", "-qtAX", f"{POSTGRES}/{DATABASE}", "-c",
         "SELECT projects FROM portal_scale_dataset ORDER BY built_at DESC LIMIT 1"],
        capture_output=True, text=True,
    )  # fmt: skip
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


# PostgreSQL's planner settings for the benchmark's database: the data fits in memory (and
# would be on SSD in production), where a random read costs about what a sequential one
# does; the default of 4 is for spinning disks. README, Performance, recommends the same.
DATABASE_SETTINGS = {"random_page_cost": "1.1"}


def prepare_data() -> dict:
    """The data set of BENCH_PROJECTS projects, built only when the database holds
    another size (or none)."""
    existing = built_with()
    timing = {"seeded": False}
    if existing != PROJECTS:
        say(f"Building a data set of {PROJECTS} projects in {DATABASE} (it had {existing})…")
        psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        psql(f'CREATE DATABASE "{DATABASE}"')
        manage("migrate", "--verbosity", "0")
        started = time.monotonic()
        manage("seed_scale", "--projects", str(PROJECTS))
        timing = {"seeded": True, "seed_s": round(time.monotonic() - started, 1)}
        subprocess.run(
            ["psql", "-qX", f"{POSTGRES}/{DATABASE}", "-c", "VACUUM ANALYZE"],
            check=True,
        )
    else:
        say(f"Reusing the data set of {PROJECTS} projects in {DATABASE}.")
        manage("migrate", "--verbosity", "0")
    for name, value in DATABASE_SETTINGS.items():
        psql(f'ALTER DATABASE "{DATABASE}" SET {name} = {value}')
    return timing


def django_setup():
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sessions_for(pages) -> dict[int, str]:
    """A signed-in session for each person the pages need, made as login() makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    sessions = {}
    for user_id in {p.user_id for p in pages if p.user_id is not None}:
        user = User.objects.get(pk=user_id)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[user_id] = session.session_key
    return sessions


def start_portal() -> subprocess.Popen:
    log = (ROOT / "var" / "bench-gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "portal.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--timeout", "120"],
        cwd=ROOT, env=ENV, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(120):
        try:
            with urllib.request.urlopen(BASE + "/healthz", timeout=10) as response:
                if response.status == 200:
                    return process
        except OSError:  # refused, reset or timed out while the workers start
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz; see var/bench-gunicorn.log")


def fetch(url: str, cookie: str | None) -> tuple[int, int | None, int]:
    request = urllib.request.Request(BASE + url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            return response.status, int(response.headers.get("X-Query-Count", -1)), len(body)
    except urllib.error.HTTPError as error:
        return error.code, None, 0


def wrk(url: str, cookie: str | None, seconds: int) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
               "-s", str(ROOT / "bench" / "report.lua")]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, BASE + url], check=True, capture_output=True, text=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


# CPU time, the measure that a shared machine does not move: the web workers' and the
# database backends' user + system time from /proc, in clock ticks, before and after each run.
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the process has gone
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _database_backends() -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (their titles name it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {DATABASE} " in title:
                pids.append(int(entry.name))
    return pids


def cpu_ticks(portal: subprocess.Popen) -> dict[str, dict[int, int]]:
    """Each web worker's and each database backend's CPU ticks so far, by process id."""
    return {
        "web": {pid: _ticks(pid) for pid in _children(portal.pid)},
        "db": {pid: _ticks(pid) for pid in _database_backends()},
    }


def ticks_between(before: dict[int, int], after: dict[int, int]) -> int:
    """The ticks spent between two readings: a process started in between counts from
    zero; one that ended in between (a database connection closed) is lost, so this
    undercounts a little rather than going below zero."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


def measure_pages(pages, sessions, portal) -> list[dict]:
    rows = []
    for page in pages:
        cookie = f"sessionid={sessions[page.user_id]}" if page.user_id else None
        fetch(page.url, cookie)  # the count is of a page whose caches are warm, as under load
        status, queries, size = fetch(page.url, cookie)
        if status != 200:
            raise SystemExit(f"{page.name} ({page.url}) answered {status}")
        wrk(page.url, cookie, 2)  # warm up: connections, caches, the database's buffers
        before = cpu_ticks(portal)
        run = wrk(page.url, cookie, SECONDS)
        after = cpu_ticks(portal)
        seconds = run["duration_us"] / 1e6
        web_ms = ticks_between(before["web"], after["web"]) * TICK_MS / max(run["requests"], 1)
        db_ms = ticks_between(before["db"], after["db"]) * TICK_MS / max(run["requests"], 1)
        row = {
            "page": page.name,
            "url": page.url,
            "queries": queries,
            "bytes": size,
            "requests": run["requests"],
            "rps": round(run["requests"] / seconds, 1),
            "p50_ms": round(run["p50_us"] / 1000, 1),
            "p95_ms": round(run["p95_us"] / 1000, 1),
            "p99_ms": round(run["p99_us"] / 1000, 1),
            "errors": run["non_2xx"] + run["socket_errors"] + run["timeouts"],
            "web_cpu_ms": round(web_ms, 2),
            "db_cpu_ms": round(db_ms, 2),
            "cpu_ms": round(web_ms + db_ms, 2),
        }
        rows.append(row)
        say(
            f"  {page.name}: {row['rps']} req/s, p95 {row['p95_ms']} ms, {queries} queries, "
            f"CPU {row['web_cpu_ms']} ms web + {row['db_cpu_ms']} ms database a request"
        )
    floor = next(r for r in rows if r["page"] == "floor")
    for row in rows:
        row["vs_floor"] = round(row["rps"] / floor["rps"], 2) if floor["rps"] else None
        # The floor's CPU time a request over the page's: what its throughput would be
        # against the floor's on a machine given to the benchmark alone.
        row["cpu_vs_floor"] = round(floor["cpu_ms"] / row["cpu_ms"], 2) if row["cpu_ms"] else None
    return rows


def profile_pages(pages, sessions, runs: int = 20) -> list[dict]:
    """Each key page requested ``runs`` times in this process (after one request to warm its
    caches), for its CPU milliseconds a request without the database server's, then as many
    again under cProfile: the functions with the most time, cumulative, are saved in
    var/profile-<page>.txt."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    found = []
    for page in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if page.user_id:
            client.cookies["sessionid"] = sessions[page.user_id]
        client.get(page.url)
        started = time.process_time()
        for _ in range(runs):
            client.get(page.url)
        cpu_ms = (time.process_time() - started) * 1000 / runs  # without the profiler's cost
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(runs):
            client.get(page.url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        slug = "".join(c if c.isalnum() else "-" for c in page.name).strip("-")
        path = ROOT / "var" / f"profile-{slug}.txt"
        heading = (
            f"{page.name} ({page.url}): {cpu_ms:.1f} ms CPU a request in one process "
            f"(without the profiler), over {runs} requests"
        )
        path.write_text(f"{heading}\n\n{out.getvalue()}")
        found.append(
            {
                "page": page.name,
                "cpu_ms_in_process": round(cpu_ms, 2),
                "profile": str(path.relative_to(ROOT)),
            }
        )
        say(f"  {page.name}: {cpu_ms:.1f} ms CPU a request in the web process, {path.name}")
    return found


def _timed(function, runs: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure_jobs(pages) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Organisation
    from audit.services import audit_verify
    from governance.models import Gate, Notification
    from governance.selectors.register import published_projects
    from governance.services.reminders import reminders_send
    from outcomes.disclosure_data import extract_snapshot_of, project_snapshot
    from outcomes.models import DisclosureDocument
    from outcomes.services.disclosure import render_pdf
    from partnerships.models import Project
    from portal.celery import app

    jobs = {}
    status_page = next(p for p in pages if p.name == "project status")
    project = Project.objects.get(pk=int(status_page.url.strip("/").split("/")[-1]))

    def project_pdf():
        document = DisclosureDocument(
            kind=DisclosureDocument.Kind.PROJECT,
            project=project,
            snapshot=project_snapshot(project),
            document_number="DD-BENCH-000001",
        )
        return len(render_pdf(document, made_at=timezone.now()))

    seconds, size = _timed(project_pdf, runs=3)
    jobs["project_pdf"] = {"seconds": round(seconds, 3), "bytes": size, "runs": 3}
    say(f"  project disclosure PDF: {seconds:.2f} s (median of 3)")

    busiest = (
        published_projects().order_by().values("lead_organisation")
        .annotate(n=Count("pk")).order_by("-n").first()
    )  # fmt: skip
    extract = published_projects().filter(lead_organisation=busiest["lead_organisation"])
    ids = list(extract.order_by("summary_published_at", "pk").values_list("pk", flat=True)[:1000])

    def extract_pdf():
        organisation = Organisation.objects.get(pk=busiest["lead_organisation"])
        snapshot = extract_snapshot_of(
            published_projects().filter(pk__in=ids).order_by("summary_published_at", "pk"),
            organisation=organisation,
            year=timezone.localdate().year,
        )
        document = DisclosureDocument(
            kind=DisclosureDocument.Kind.REGISTER_EXTRACT,
            organisation=organisation,
            year=timezone.localdate().year,
            snapshot=snapshot,
            document_number="DD-BENCH-000002",
        )
        return len(render_pdf(document, made_at=timezone.now()))

    seconds, size = _timed(extract_pdf)
    jobs["register_extract_pdf"] = {
        "seconds": round(seconds, 2),
        "bytes": size,
        "projects": len(ids),
    }
    say(f"  register extract PDF of {len(ids)} projects: {seconds:.1f} s")

    today = timezone.localdate()
    Notification.objects.filter(day=today).delete()  # the bench database only: a fresh day
    open_gates = Gate.objects.filter(status__in=Gate.OPEN_STATUSES).count()
    seconds, created = _timed(lambda: reminders_send(today=today))
    jobs["reminder_sweep"] = {
        "seconds": round(seconds, 2),
        "open_gates": open_gates,
        "notifications": sum(created.values()),
    }
    app.control.purge()  # nobody sends the bench's emails
    notifications = sum(created.values())
    say(f"  reminder sweep over {open_gates} gates: {seconds:.2f} s, {notifications} notifications")

    seconds, result = _timed(lambda: audit_verify(jobs=CORES))  # as verify_audit does
    if not result.intact:
        raise SystemExit(f"verify_audit: the chain is broken at #{result.first_broken}")
    jobs["verify_audit"] = {
        "seconds": round(seconds, 2),
        "events": result.checked,
        "events_per_s": round(result.checked / seconds),
        "jobs": CORES,
    }
    say(f"  verify_audit: {result.checked} events in {seconds:.1f} s")

    from django.test.utils import CaptureQueriesContext

    from compliance.services.check import compliance_check

    with CaptureQueriesContext(connection) as queries:
        seconds, breaches = _timed(compliance_check)  # one full pass over every project
    jobs["compliance_check"] = {
        "seconds": round(seconds, 2),
        "projects": Project.objects.count(),
        "breaches": len(breaches),
        "queries": len(queries),
    }
    say(f"  compliance check: {seconds:.1f} s, {len(queries)} queries, {len(breaches)} breaches")
    connection.close()
    return jobs


def data_size() -> dict:
    from django.db import connection

    tables = {
        "projects": "partnerships_project",
        "partners": "partnerships_partner",
        "gates": "governance_gate",
        "sign_offs": "governance_signoff",
        "declarations": "governance_declaration",
        "outcome_reports": "outcomes_outcomereport",
        "lessons": "outcomes_lesson",
        "audit_events": "audit_auditevent",
    }
    with connection.cursor() as cursor:
        sizes = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            sizes[name] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes["database_mb"] = round(cursor.fetchone()[0] / 2**20)
    return sizes


def git_commit() -> dict:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--", ".", ":!bench/results.json")),
    }


def table(results: dict) -> str:
    lines = [
        f"{results['data']['projects']:,} projects, {results['data']['audit_events']:,} audit "
        f"events; {results['cores']} cores; {results['connections']} connections; "
        f"commit {results['commit'][:10]}{' (uncommitted changes)' if results['dirty'] else ''}",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | queries | × floor | CPU ms (web + db) "
        "| × floor, by CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["pages"]:
        lines.append(
            f"| {row['page']} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['queries']} | {row['vs_floor']} | {row['cpu_ms']} "
            f"({row['web_cpu_ms']} + {row['db_cpu_ms']}) | {row['cpu_vs_floor']} |"
        )
    jobs = results["jobs"]
    lines += [
        "",
        "| job | time | target |",
        "|---|---:|---:|",
        f"| project disclosure PDF | {jobs['project_pdf']['seconds']} s | under 1 s |",
        f"| register extract PDF, {jobs['register_extract_pdf']['projects']} projects | "
        f"{jobs['register_extract_pdf']['seconds']} s | – |",
        f"| reminder sweep, {jobs['reminder_sweep']['open_gates']} open gates | "
        f"{jobs['reminder_sweep']['seconds']} s | under 5 s |",
        f"| verify_audit, {jobs['verify_audit']['events']:,} events | "
        f"{jobs['verify_audit']['seconds']} s ({jobs['verify_audit']['events_per_s']:,}/s) | "
        "100,000/s |",
        f"| compliance check, {jobs['compliance_check']['projects']:,} projects, "
        f"{jobs['compliance_check']['breaches']} breaches | "
        f"{jobs['compliance_check']['seconds']} s ({jobs['compliance_check']['queries']} queries)"
        " | under 60 s |",
    ]
    return "\n".join(lines)


def misses(results: dict) -> list[str]:
    """Each target missed, and by how much."""
    found = []
    for row in results["pages"]:
        if row["p95_ms"] > TARGETS["p95_ms"]:
            found.append(
                f"{row['page']}: p95 {row['p95_ms']} ms, "
                f"{row['p95_ms'] / TARGETS['p95_ms']:.1f} × the {TARGETS['p95_ms']} ms target"
            )
        # Judged on CPU time a request against the floor's, in the same run: unlike req/s,
        # it does not move with what else the shared machine is doing.
        if row["cpu_vs_floor"] is not None and row["cpu_vs_floor"] < TARGETS["vs_floor"]:
            found.append(
                f"{row['page']}: {row['cpu_ms']} ms CPU a request, {row['cpu_vs_floor']} × "
                f"the floor's throughput by CPU ({row['vs_floor']} by req/s; "
                f"target at least {TARGETS['vs_floor']})"
            )
        if row["errors"]:
            found.append(f"{row['page']}: {row['errors']} answers were not 2xx")
    jobs = results["jobs"]
    if jobs["project_pdf"]["seconds"] > TARGETS["project_pdf_s"]:
        found.append(f"project PDF: {jobs['project_pdf']['seconds']} s (target under 1 s)")
    if jobs["reminder_sweep"]["seconds"] > TARGETS["reminder_sweep_s"]:
        found.append(f"reminder sweep: {jobs['reminder_sweep']['seconds']} s (target under 5 s)")
    if jobs["compliance_check"]["seconds"] > TARGETS["compliance_check_s"]:
        found.append(
            f"compliance check: {jobs['compliance_check']['seconds']} s (target under 60 s)"
        )
    if jobs["compliance_check"]["breaches"]:
        found.append(
            f"compliance check: {jobs['compliance_check']['breaches']} breaches in the "
            "scale data (expected none)"
        )
    rate = jobs["verify_audit"]["events_per_s"]
    if rate < TARGETS["verify_audit_events_per_s"]:
        found.append(
            f"verify_audit: {rate:,} events/s, "
            f"{rate / TARGETS['verify_audit_events_per_s']:.2f} × the 100,000/s target"
        )
    return found


def main() -> None:
    (ROOT / "var").mkdir(exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    seeding = prepare_data()
    django_setup()
    from demo.scale.pages import key_pages

    pages = key_pages()
    sessions = sessions_for(pages)
    from django.db import connection

    connection.close()
    load_before = os.getloadavg()
    say(f"Starting gunicorn ({WORKERS} workers) on {BASE}; wrk with {CONNECTIONS} connections…")
    portal = start_portal()
    try:
        page_rows = measure_pages(pages, sessions, portal)
    finally:
        portal.terminate()
        portal.wait(timeout=30)
    load_pages = os.getloadavg()
    say("Profiling each page in one process (var/profile-*.txt)…")
    profiles = profile_pages(pages, sessions)
    say("Timing the jobs…")
    jobs = measure_jobs(pages)
    results = {
        **git_commit(),
        "started_at": started.isoformat(timespec="seconds"),
        "cores": CORES,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after_pages": [round(x, 2) for x in load_pages],
        "connections": CONNECTIONS,
        "seconds_per_page": SECONDS,
        "gunicorn_workers": WORKERS,
        "database_settings": DATABASE_SETTINGS,
        "data": {**data_size(), **seeding},
        "pages": page_rows,
        "profiles": profiles,
        "jobs": jobs,
        "targets": TARGETS,
    }
    results["missed"] = misses(results)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    say("")
    say(table(results))
    say("\nTargets missed:" if results["missed"] else "\nEvery target met.")
    for line in results["missed"]:
        say(f"  {line}")
    say(f"\nWritten to {RESULTS.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
