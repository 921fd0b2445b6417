"""docker-compose.yml, the Dockerfile and .dockerignore, read as data.

There is no container engine in the test environment, so these tests check what
can be checked without one: the services exist, migrate, web, worker and beat
share one image, the database keeps its data in a named volume, web scales behind
the proxy with stored files in a shared object store, and every command names
code that exists in this repository. Each checker also has a test showing that
it rejects a broken configuration.
"""

import importlib
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.core.management import get_commands
from django.urls import resolve
from django.utils.module_loading import import_string

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

APP_SERVICES = ("web", "worker", "beat")
# Every service that runs the portal's image: the app services and the one-off migrate.
IMAGE_SERVICES = ("migrate", *APP_SERVICES)
POSTGRES_DATA = "/var/lib/postgresql/data"
SHELLS = {"sh", "/bin/sh", "bash", "/bin/bash"}
SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}
# gunicorn's APP_MODULE, e.g. portal.wsgi:application (not a --bind address: those
# start with a digit or have a numeric port).
WSGI_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


# --- Checkers ----------------------------------------------------------------


def command_argvs(command):
    """The programs a compose `command` (a string or a list) runs, each as an argv.

    `sh -c "a && exec b"` gives [a, b]: the script is split on shell operators,
    and `exec` is dropped.
    """
    argv = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
    if len(argv) >= 3 and argv[0] in SHELLS and argv[1] == "-c":
        lexer = shlex.shlex(argv[2], posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        argvs, current = [], []
        for token in [*lexer, ";"]:
            if token in SHELL_OPERATORS:
                if current and current[0] == "exec":
                    current = current[1:]
                if current:
                    argvs.append(current)
                current = []
            else:
                current.append(token)
        return argvs
    return [argv]


def _option_value(args, *names):
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def _import_attribute(module_name, attribute):
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return None, f"module {module_name!r} does not import: {exc}"
    if not hasattr(module, attribute):
        return None, f"module {module_name!r} has no attribute {attribute!r}"
    return getattr(module, attribute), None


def _check_gunicorn(args):
    targets = [a for a in args if WSGI_TARGET.fullmatch(a)]
    if not targets:
        return ["gunicorn names no module:attribute to serve"]
    module_name, attribute = targets[0].split(":")
    app, problem = _import_attribute(module_name, attribute)
    if problem:
        return [problem]
    if not callable(app):
        return [f"{targets[0]} is not a WSGI callable"]
    return []


def _check_celery(args):
    name = _option_value(args, "-A", "--app")
    if not name:
        return ["celery is given no -A/--app"]
    module_name, attribute = name.split(":", 1) if ":" in name else (f"{name}.celery", "app")
    app, problem = _import_attribute(module_name, attribute)
    if problem:
        return [problem]
    if not isinstance(app, Celery):
        return [f"{module_name}.{attribute} is not a Celery app"]
    if not {"worker", "beat"} & set(args):
        return [f"celery runs neither worker nor beat: {args}"]
    return []


def _check_manage(args):
    index = next(i for i, a in enumerate(args) if Path(a).name == "manage.py")
    if not (REPO / "manage.py").is_file():
        return ["manage.py is not in the repository"]
    if index + 1 >= len(args):
        return ["manage.py is given no command"]
    command = args[index + 1]
    if command not in get_commands():
        return [f"manage.py has no command {command!r}"]
    return []


def command_problems(command):
    """What is wrong with a compose command: [] when every program it runs exists."""
    problems = []
    for argv in command_argvs(command):
        program = Path(argv[0]).name
        if program == "gunicorn":
            problems += _check_gunicorn(argv[1:])
        elif program == "celery":
            problems += _check_celery(argv[1:])
        elif program.startswith("python") and any(Path(a).name == "manage.py" for a in argv):
            problems += _check_manage(argv)
        else:
            problems.append(f"unrecognised program {argv[0]!r}")
    return problems


def starts_gunicorn(command):
    return any(Path(argv[0]).name == "gunicorn" for argv in command_argvs(command))


def shared_image_problems(services, names=APP_SERVICES):
    """[] when the named services all build and run one and the same image."""
    problems = [f"service {n!r} is missing" for n in names if n not in services]
    present = [services[n] for n in names if n in services]
    images = {s.get("image") for s in present}
    builds = {json.dumps(s.get("build"), sort_keys=True) for s in present}
    if None in images or len(images) != 1:
        problems.append(f"services use different or no images: {sorted(map(str, images))}")
    if "null" in builds or len(builds) != 1:
        problems.append(f"services use different or no builds: {sorted(builds)}")
    return problems


def _volume_source_target(entry):
    if isinstance(entry, dict):
        if entry.get("type", "volume") != "volume":
            return None, entry.get("target")
        return entry.get("source"), entry.get("target")
    parts = entry.split(":")
    if len(parts) == 1:  # an anonymous volume
        return None, parts[0]
    return parts[0], parts[1]


def named_volume_problems(service, target, top_level_volumes):
    """[] when `target` in `service` is a named volume declared at the top level."""
    for entry in service.get("volumes") or []:
        source, mounted_at = _volume_source_target(entry)
        if mounted_at != target:
            continue
        if not source or source.startswith(("/", ".", "~", "$")):
            return [f"{target} is not on a named volume: {entry!r}"]
        if source not in (top_level_volumes or {}):
            return [f"volume {source!r} is not declared under top-level volumes"]
        return []
    return [f"nothing is mounted at {target}"]


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1].rstrip() + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def final_stage(instructions):
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :] if starts else []


def exec_form(arguments):
    """A CMD/ENTRYPOINT as an argv: JSON (exec) form, or shell form run by sh -c."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return ["sh", "-c", arguments]


def dockerfile_problems(text):
    """[] when the Dockerfile's final image is python:3.11-slim based, runs as a
    non-root user and never bakes DJANGO_SECRET_KEY into ENV or ARG."""
    instructions = dockerfile_instructions(text)
    stage = final_stage(instructions)
    problems = []
    if not stage or not stage[0][1].split()[0].startswith("python:3.11-slim"):
        problems.append("the final image is not based on python:3.11-slim")
    users = [args.split(":")[0] for keyword, args in stage if keyword == "USER"]
    if not users or users[-1] in ("root", "0"):
        problems.append("the final image runs as root")
    for keyword, args in instructions:
        if keyword in ("ENV", "ARG") and "DJANGO_SECRET_KEY" in args:
            problems.append(f"{keyword} bakes DJANGO_SECRET_KEY into the image: {args}")
    return problems


def dockerfile_command(text):
    """The final stage's ENTRYPOINT + CMD as one argv (the last of each wins)."""
    stage = final_stage(dockerfile_instructions(text))
    entrypoint = [exec_form(a) for k, a in stage if k == "ENTRYPOINT"]
    cmd = [exec_form(a) for k, a in stage if k == "CMD"]
    return (entrypoint[-1] if entrypoint else []) + (cmd[-1] if cmd else [])


# --- The files -----------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def dockerfile():
    return DOCKERFILE.read_text()


def test_services_exist(compose):
    assert set(compose["services"]) >= {"web", "worker", "beat", "db", "redis"}


def test_app_services_share_one_image_and_build(compose):
    assert shared_image_problems(compose["services"], IMAGE_SERVICES) == []


def test_the_shared_build_uses_this_dockerfile(compose):
    build = compose["services"]["web"]["build"]
    build = {"context": build} if isinstance(build, str) else build
    context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
    assert context == REPO
    assert (context / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE


def test_db_is_postgres_16_on_a_declared_named_volume(compose):
    db = compose["services"]["db"]
    assert db["image"] == "postgres:16"
    assert named_volume_problems(db, POSTGRES_DATA, compose.get("volumes")) == []
    assert "pg_isready" in json.dumps(db["healthcheck"]["test"])


def test_redis_is_redis_7(compose):
    assert compose["services"]["redis"]["image"] == "redis:7"


def test_media_is_on_a_declared_named_volume(compose):
    for name in IMAGE_SERVICES:
        service = compose["services"][name]
        media_root = environment(service)["PORTAL_MEDIA_ROOT"]
        assert named_volume_problems(service, media_root, compose.get("volumes")) == [], name


@pytest.mark.parametrize("name", IMAGE_SERVICES)
def test_app_service_commands_name_code_that_exists(compose, name):
    command = compose["services"][name]["command"]
    assert command_argvs(command)
    assert command_problems(command) == []


def test_migrate_runs_once_before_web_which_starts_gunicorn_on_all_interfaces(compose):
    services = compose["services"]
    migrate = command_argvs(services["migrate"]["command"])
    assert [argv[1:3] for argv in migrate] == [
        ["manage.py", "migrate"],
        ["manage.py", "storage_prepare"],
    ]
    assert "--noinput" in migrate[0]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        waits = services[name]["depends_on"]["migrate"]
        assert waits == {"condition": "service_completed_successfully"}, name
    web = command_argvs(services["web"]["command"])
    assert [Path(argv[0]).name for argv in web] == ["gunicorn"]  # replicas never migrate
    assert _option_value(web[-1], "--bind", "-b") == "0.0.0.0:8000"


def test_web_scales_behind_the_proxy(compose):
    services = compose["services"]
    # A published port would stop a second replica from starting.
    assert "ports" not in services["web"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("haproxy:")
    assert proxy["ports"] == ["127.0.0.1:8000:8000"]
    config = next(
        v for v in proxy["volumes"] if v.endswith(":/usr/local/etc/haproxy/haproxy.cfg:ro")
    )
    path = COMPOSE_FILE.parent / config.split(":")[0]
    text = path.read_text()
    assert re.search(r"^\s*server-template web \d+ web:8000 .*resolvers docker", text, re.M)
    assert "nameserver dns 127.0.0.11:53" in text


def test_the_proxy_configuration_is_valid_haproxy():
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.skip("haproxy is not installed (scripts/haproxy.sh installs it)")
    checked = subprocess.run(
        [haproxy, "-c", "-f", str(REPO / "deploy" / "haproxy.cfg")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_stored_files_go_to_the_shared_object_store(compose):
    services = compose["services"]
    store = services["objectstore"]
    assert store["image"].startswith("mcr.microsoft.com/azure-storage/azurite:")
    assert "ports" not in store  # its key is Microsoft's published development key
    assert named_volume_problems(store, "/data", compose.get("volumes")) == []
    for name in IMAGE_SERVICES:
        env = environment(services[name])
        assert env["PORTAL_STORAGE"] == "${PORTAL_STORAGE:-azure}"
        assert "BlobEndpoint=http://objectstore:10000/" in env["PORTAL_AZURE_CONNECTION_STRING"]
        assert services[name]["depends_on"]["objectstore"] == {"condition": "service_healthy"}


def test_worker_and_beat_commands(compose):
    assert shlex.split(compose["services"]["worker"]["command"])[1:4] == ["-A", "portal", "worker"]
    beat = shlex.split(compose["services"]["beat"]["command"])
    assert beat[1:4] == ["-A", "portal", "beat"]
    # The container's own /tmp: beat's schedule needs no volume.
    schedule = "/tmp/celerybeat-schedule"  # noqa: S108
    assert _option_value(beat, "--schedule", "-s") == schedule


def test_web_healthcheck_fetches_healthz_with_python(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"
    assert "http://localhost:8000/healthz" in test[-1]
    assert resolve("/healthz").url_name == "healthz"


def test_app_environment_is_production_like(compose):
    for name in IMAGE_SERVICES:
        env = environment(compose["services"][name])
        # Required, with no default: compose refuses to start without it.
        assert env["DJANGO_SECRET_KEY"] == "${DJANGO_SECRET_KEY:?set DJANGO_SECRET_KEY}"
        assert env["DJANGO_DEBUG"] == "0"
        assert env["PORTAL_DEMO"] == "0"
        assert env["DATABASE_URL"].startswith("postgres://portal:")
        assert env["DATABASE_URL"].endswith("@db:5432/portal")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["CACHE_URL"] == "redis://redis:6379/1"
        storage = env["DJANGO_STATICFILES_STORAGE"]
        assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
        import_string(storage)


def test_dockerfile_is_slim_non_root_and_keeps_no_secret(dockerfile):
    assert dockerfile_problems(dockerfile) == []


def test_dockerfile_collects_static_files_with_a_build_only_key(dockerfile):
    runs = [args for keyword, args in dockerfile_instructions(dockerfile) if keyword == "RUN"]
    collect = [args for args in runs if "collectstatic" in args]
    assert collect, "no RUN line collects static files"
    assert "DJANGO_SECRET_KEY=" in collect[0]
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in collect[0]
    assert any("npm ci" in args for args in runs)
    assert any(re.search(r"pip install \.(\s|$)", args) for args in runs)


def test_the_image_or_compose_starts_gunicorn(compose, dockerfile):
    image_command = dockerfile_command(dockerfile)
    web_command = compose["services"]["web"]["command"]
    assert starts_gunicorn(image_command) or starts_gunicorn(web_command)
    if image_command:
        assert command_problems(image_command) == []


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert ignored >= {".venv", "node_modules", "var", ".git", ".env", "staticfiles"}
    assert ignored & {"__pycache__", "**/__pycache__"}


# --- The checkers reject what is broken -----------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "gunicorn portal.nowhere:application --bind 0.0.0.0:8000",
        "gunicorn portal.wsgi:no_such_attribute --bind 0.0.0.0:8000",
        "gunicorn --bind 0.0.0.0:8000",
        "celery -A no_such_project worker",
        "celery -A portal",
        "celery worker",
        "python manage.py no_such_command",
        ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn portal.nowhere:app"],
        ["sh", "-c", "python manage.py no_such_command && exec gunicorn portal.wsgi:application"],
        "uwsgi --module portal.wsgi",
    ],
)
def test_command_checker_rejects_missing_code(command):
    assert command_problems(command) != []


def test_command_checker_accepts_real_code():
    assert command_problems("gunicorn portal.wsgi:application -b 0.0.0.0:8000") == []
    assert command_problems("celery --app=portal beat") == []
    assert command_problems(["python", "manage.py", "check"]) == []


def test_command_argvs_splits_shell_scripts():
    assert command_argvs(["sh", "-c", "a b && exec c d; e"]) == [["a", "b"], ["c", "d"], ["e"]]
    assert starts_gunicorn(["sh", "-c", "python manage.py migrate && exec gunicorn x:y"])
    assert not starts_gunicorn(["python", "-m", "http.server"])


def test_shared_image_checker_rejects_different_images():
    same = {"image": "portal:1", "build": {"context": "."}}
    services = {"web": same, "worker": same, "beat": {**same, "image": "portal:2"}}
    assert shared_image_problems(services) != []
    services = {"web": same, "worker": same, "beat": {"image": "portal:1"}}
    assert shared_image_problems(services) != []
    assert shared_image_problems({"web": same, "worker": same}) != []
    assert shared_image_problems({"web": same, "worker": same, "beat": same}) == []


@pytest.mark.parametrize(
    ("volumes", "declared"),
    [
        (["./pgdata:/var/lib/postgresql/data"], {"pgdata": None}),
        (["/srv/pg:/var/lib/postgresql/data"], {}),
        (["/var/lib/postgresql/data"], {}),
        (["pgdata:/var/lib/postgresql/data"], {}),
        (["pgdata:/elsewhere"], {"pgdata": None}),
        ([{"type": "bind", "source": "./pg", "target": "/var/lib/postgresql/data"}], {}),
        ([], {"pgdata": None}),
    ],
)
def test_named_volume_checker_rejects_other_mounts(volumes, declared):
    assert named_volume_problems({"volumes": volumes}, POSTGRES_DATA, declared) != []


def test_named_volume_checker_accepts_both_syntaxes():
    declared = {"pgdata": None}
    short = {"volumes": ["pgdata:/var/lib/postgresql/data:rw"]}
    long = {"volumes": [{"type": "volume", "source": "pgdata", "target": POSTGRES_DATA}]}
    assert named_volume_problems(short, POSTGRES_DATA, declared) == []
    assert named_volume_problems(long, POSTGRES_DATA, declared) == []


@pytest.mark.parametrize(
    "text",
    [
        'FROM python:3.11-slim-bookworm\nUSER root\nCMD ["gunicorn", "portal.wsgi:application"]\n',
        'FROM python:3.11-slim-bookworm\nCMD ["gunicorn", "portal.wsgi:application"]\n',
        "FROM python:3.12\nUSER app\n",
        "FROM python:3.11-slim AS build\nUSER app\nFROM debian:bookworm\n",
        "FROM python:3.11-slim\nENV DJANGO_SECRET_KEY=not-secret\nUSER app\n",
        "FROM python:3.11-slim\nARG DJANGO_SECRET_KEY\nUSER app\n",
    ],
)
def test_dockerfile_checker_rejects_bad_images(text):
    assert dockerfile_problems(text) != []


def test_dockerfile_command_reads_the_final_stage():
    text = (
        'FROM python:3.11-slim AS build\nCMD ["gunicorn", "portal.wsgi:application"]\n'
        "FROM python:3.11-slim\n# a comment\n"
        "RUN echo a \\\n    && echo b\nCMD python -m http.server\n"
    )
    assert dockerfile_command(text) == ["sh", "-c", "python -m http.server"]
    assert not starts_gunicorn(dockerfile_command(text))
    assert ("RUN", "echo a && echo b") in dockerfile_instructions(text)
