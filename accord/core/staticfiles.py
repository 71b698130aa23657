"""Static files as Accord serves them: collected into STATIC_ROOT under names that carry a
hash of their content, each with a gzip copy beside it, so WhiteNoise sends them compressed
and marked immutable (browsers keep them a year and never ask again; a changed file gets a
new name, and pages name the new one).

`accord serve` (so `accord demo`) collects them at start when the sources changed since
they were last collected (`ensure_collected`), and so does the test suite, once. With DEBUG,
or in a process that has found nothing collected (`accord manage runserver` on a fresh
data directory), pages name the sources by their own names and WhiteNoise serves them from
where they are (settings: `WHITENOISE_USE_FINDERS`).
"""

from __future__ import annotations

import fcntl
import hashlib
from importlib.metadata import version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import checks
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names from the manifest this process read when it started (or that
    `ensure_collected` handed it); a file the manifest does not name (nothing collected yet,
    or a file added since the last collect) by its own name, as the finders or the last
    collect have it, rather than an error on every page. A manifest another process writes
    later is not picked up: this process's WhiteNoise would not serve the names it holds."""

    def stored_name(self, name):
        if self.hash_key(self.clean_name(name)) not in self.hashed_files:
            return name
        return super().stored_name(name)


class NpmFinder(finders.BaseFinder):
    """The files of npm packages that pages load, from node_modules under `vendor/` (e.g.
    vendor/htmx.org/dist/htmx.min.js): those settings.STATIC_NPM_FILES names, not the whole
    of node_modules (30 MB, nearly all of it never served)."""

    prefix = "vendor"

    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=Path(settings.BASE_DIR) / "node_modules")
        self.storage.prefix = self.prefix
        self.names = sorted(settings.STATIC_NPM_FILES)

    def missing(self) -> str:
        """What is not installed, said for a person; empty when nothing is missing."""
        missing = [name for name in self.names if not self.storage.exists(name)]
        if not missing:
            return ""
        return (
            f"The front-end packages' files are not installed in {self.storage.location}: "
            f"{', '.join(missing)}. Run `make setup` (it runs `npm ci`)."
        )

    def check(self, **kwargs):
        missing = self.missing()
        return [checks.Warning(missing, id="accord.W001")] if missing else []

    def find(self, path, find_all=False, **kwargs):
        name = path.removeprefix(f"{self.prefix}/")
        found = None
        if name != path and name in self.names and self.storage.exists(name):
            found = self.storage.path(name)
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns):
        for name in self.names:
            if self.storage.exists(name):
                yield name, self.storage


def sources_digest() -> str:
    """A digest of what collecting would produce: every source file's name and content, and
    the versions of what hashes and compresses them."""
    digest = hashlib.sha256(
        f"django {version('django')} whitenoise {version('whitenoise')} "
        f"{settings.STORAGES['staticfiles']['BACKEND']}\n".encode()
    )
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    found = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            prefix = getattr(storage, "prefix", None)
            found.setdefault(f"{prefix}/{path}" if prefix else path, storage.path(path))
    for name, path in sorted(found.items()):
        digest.update(f"{name}\n".encode())
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


def ensure_collected() -> bool:
    """Collect the static files into STATIC_ROOT unless it holds them as they are now, and
    serve them from there from now on. The digest of the sources last collected is kept
    beside STATIC_ROOT; processes starting side by side on one data directory (two `accord
    serve`, the test suite's workers) take turns on it: one collects, the others find it
    done. Collecting never deletes: a page served before still finds the files it names.
    Returns whether it collected."""
    root = Path(settings.STATIC_ROOT)
    wanted = sources_digest()
    with open(root.with_name(f"{root.name}.collected"), "a+") as stamp:
        fcntl.flock(stamp, fcntl.LOCK_EX)
        stamp.seek(0)
        collect = stamp.read() != wanted or not (root / "staticfiles.json").exists()
        if collect:
            call_command("collectstatic", interactive=False, verbosity=0)
            stamp.seek(0)
            stamp.truncate()
            stamp.write(wanted)
        # This process may have read the manifest before another one collected.
        manifest = staticfiles_storage.load_manifest()
    staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = manifest
    settings.WHITENOISE_USE_FINDERS = settings.DEBUG
    return collect
