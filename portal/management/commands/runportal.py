"""Start the whole portal for local use: web server, Celery worker and beat.

Used by `make run`. Migrates, loads the demo data, prints how to sign in as
each demo role, then runs the three processes until Ctrl-C (or SIGTERM),
which stops all of them.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo import people as demo


class Command(BaseCommand):
    help = "Run the portal with its Celery worker and beat (the `make run` command)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--no-seed", action="store_true", help="Skip the demo data.")

    def handle(self, *args, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            for folder in (
                settings.CELERY_BROKER_FOLDER,
                settings.CELERY_BROKER_FOLDER.parent / "control",
            ):
                folder.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_seed"] and settings.PORTAL_DEMO:
            call_command("seed_demo")
        address = f"{options['host']}:{options['port']}"
        self.print_sign_in(f"http://{address}")

        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        commands = {
            "web": [python, manage, "runserver", address, "--noreload"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }
        self.children = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR)  # noqa: S603 - fixed commands
            for name, cmd in commands.items()
        }
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, child in self.children.items():
                if child.poll() is not None:
                    self.stderr.write(f"The {name} process stopped (exit {child.returncode}).")
                    stopping, exit_code = True, 1
            time.sleep(0.5)
        self.stop_children()
        self.stdout.write("Stopped the portal, its worker and beat.")
        if exit_code:
            sys.exit(exit_code)

    def stop_children(self):
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def print_sign_in(self, url):
        width = max(len(role) for role, _ in demo.SIGN_IN_LIST)
        lines = [
            "",
            f"Partnership portal: {url}",
            "",
            f"Sign in as any demo role with the password {demo.DEMO_PASSWORD}",
        ]
        lines += [f"  {role.ljust(width)}  {email}" for role, email in demo.SIGN_IN_LIST]
        lines += [
            "",
            "Panel members, chairs, auditors and administrators are asked for a six-digit",
            "authentication code. Get the current one with `make demo-code` in another",
            f"terminal, or add the demo secret {demo.DEMO_TOTP_SECRET} to an authenticator app.",
            "",
            "Press Ctrl-C to stop the portal, its Celery worker and beat.",
            "",
        ]
        self.stdout.write("\n".join(lines))
