"""accord demo: one command from nothing to a running demo organization."""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accord import demo


class Command(BaseCommand):
    help = (
        "Migrate, load the demo organization if the database is empty, start the worker "
        "and serve the app."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")

    def handle(self, *args, host: str, port: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("load_demo")
        worker = subprocess.Popen(
            [sys.executable, "-m", "accord.cli", "worker"], env=os.environ.copy()
        )
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
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
