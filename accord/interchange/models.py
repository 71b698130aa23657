"""The stable keys organization files use for objects that have no slug of their own."""

from __future__ import annotations

from django.db import models

from accord.org.models import OrgScoped


class ExternalKey(OrgScoped):
    """`key` names object `object_id` of `section` (e.g. initiatives) in files and imports.

    Objects created by a file or an importer keep the key they were given (e.g. `kep-5419`);
    others are known by an implicit key, `<kind>-<id>`, which never changes either.
    """

    section = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "section", "key"], name="externalkey_key_once"),
            models.UniqueConstraint(
                fields=["org", "section", "object_id"], name="externalkey_object_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section}:{self.key}"


class ImportJob(OrgScoped):
    """A large organization file (or CSV) planned or applied in the background by `accord
    worker`: who sent it, the file itself, how far it got, and the plan report at the end.

    A job whose worker died is queued again (see services.resume_stalled_jobs); applying a
    file is idempotent, so running it again finishes what was cut short.
    """

    class Kind(models.TextChoices):
        PLAN = "plan", "Plan"
        APPLY = "apply", "Apply"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)  # the file's name as uploaded
    content = models.BinaryField()  # the file, so the worker applies exactly what was sent
    kind = models.CharField(max_length=10, choices=Kind.choices)
    strict = models.BooleanField(default=False)
    # An apply that takes away a large share of a kind of item (services.is_large_removal)
    # runs only when this confirms it (the plan page's checkbox).
    allow_removals = models.BooleanField(default=False)
    # A CSV with a column that looks like a known one misspelt ("Emial") is imported, that
    # column ignored, only when this confirms it (the plan page's checkbox).
    allow_ignored_columns = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)  # changes written so far
    total = models.PositiveIntegerField(default=0)  # changes to write (known after planning)
    phase = models.CharField(max_length=60, blank=True)  # e.g. "validating", "writing people"
    result = models.JSONField(null=True, blank=True)  # the plan report (Outcome.as_json)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last sign of life

    class Meta:
        indexes = [models.Index(fields=["state", "heartbeat_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class Import(OrgScoped):
    """An import that changed the organization (an organization file, a CSV, another
    tool's data): who applied it, the file, its format and how many objects it created,
    updated and removed. Its one event ("Maya Chen applied import reorg.yaml") is written in
    the transaction of the import's writes, so a failed import leaves neither."""

    actor = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)  # the file's name as given
    format = models.CharField(max_length=40)  # "organization file", "CSV (teams)", …
    counts = models.JSONField(default=dict, blank=True)  # {"created": 1, "updated": 2, …}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ImportBaseline(OrgScoped):
    """What an importer that is run again and again (`accord import kubernetes`) last wrote:
    per section, per key, the fields as its data gave them. The next import compares three
    values of each field it would change — the data's now, the data's last time (this), and
    Accord's — so a field changed in Accord since the last import is not silently reverted
    (see services._three_way)."""

    source = models.CharField(max_length=40)  # e.g. "kubernetes"
    values = models.JSONField(default=dict, blank=True)  # {section: {key: {field: value}}}
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "source"], name="importbaseline_source_once")
        ]

    def __str__(self) -> str:
        return self.source


class ExportVia(models.TextChoices):
    PAGE = "page", "the import and export page"
    API = "api", "the API"
    COMMAND = "command", "the command line"


class OrganizationExport(OrgScoped):
    """A copy of the whole organization taken out of Accord (the organization file, or its
    CSVs): who took it, in which format and how. It holds everyone's names and addresses, so
    its one event ("Ada Admin created organization export acme.yaml") is read by admins only
    (`activity.queries.ADMIN_KINDS`). Recorded when the download starts."""

    actor = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=10)  # yaml | csv
    via = models.CharField(max_length=10, choices=ExportVia.choices)
    name = models.CharField(max_length=200)  # the file's name, e.g. acme.yaml
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "organization export"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class PersonalDataExport(OrgScoped):
    """One person's own data taken out of Accord ("Download my data", the API's
    `export/me`, `accord export --person`): whose, by whom, in which format and how. Its
    event is personal (`activity.queries.PERSONAL_KINDS`): read by the person who took it
    and by admins."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=10, default="yaml")
    via = models.CharField(max_length=10, choices=ExportVia.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "personal data export"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"of {self.person}"
