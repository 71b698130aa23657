"""accord demo: one command from nothing to a running demo organization."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from accord import demo

DISCARD_MAIL = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = (
        "Migrate, load the demo organization if it is missing, start the worker and serve the app."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")

    def handle(self, *args, host: str, port: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("load_demo")
        env = os.environ.copy()
        if not (env.get("EMAIL_BACKEND") or env.get("EMAIL_HOST")):
            # The demo's reminders and digests would otherwise knock on an SMTP server
            # that is not there, once per person. Set EMAIL_HOST to really send them.
            env["EMAIL_BACKEND"] = settings.EMAIL_BACKEND = DISCARD_MAIL
            self.stdout.write("E-mail: not sent by the demo (set EMAIL_HOST to send it).")
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        demo_links(env, f"http://{shown}:{port}")
        worker = subprocess.Popen([sys.executable, "-m", "accord.cli", "worker"], env=env)
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Accord demo: http://{shown}:{port}/o/{demo.DEMO_SLUG}/\n"
                f"  Sign in as {demo.DEMO_LOGIN} / {demo.DEMO_PASSWORD}\n"
                f"  Press Ctrl+C to stop.\n"
            )
        )
        try:
            call_command("serve", host=host, port=port)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def demo_links(env: dict, address: str) -> None:
    """Links in the demo's e-mails, calendar feeds and webhooks lead to the demo, on
    whichever port it answers, unless SITE_URL says otherwise: for the app (served from
    this process) and the worker (started with `env`)."""
    if os.environ.get("SITE_URL"):
        return
    env["SITE_URL"] = os.environ["SITE_URL"] = settings.SITE_URL = address
