"""The size limit of organization files (ACCORD_ORGFILE_MAX_BYTES): a file over it is
refused with a clear message and changes nothing, on the command line and the upload page;
the default fits an export of a 10,000-team organization (about 104 MB)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accord.org.models import Team

from .helpers import dump

FILE = (
    b"teams:\n  - {slug: acme, name: Acme}\n  - {slug: platform, name: Platform, parent: acme}\n"
    b"  - {slug: sales, name: Sales, parent: acme}\n"
)
PADDED = FILE + b"#" * (2000 - len(FILE)) + b"\n"  # 2,001 bytes


def test_the_default_limit_fits_a_10000_team_export():
    assert django_settings.ACCORD_ORGFILE_MAX_BYTES >= 256 * 1024 * 1024


def test_the_command_line_refuses_a_file_over_the_limit_and_accepts_it_under_a_raised_one(
    cast, tmp_path, settings
):
    path = tmp_path / "org.yaml"
    path.write_bytes(PADDED)
    settings.ACCORD_ORGFILE_MAX_BYTES = 2000
    before = dump()
    with pytest.raises(CommandError) as exc:
        call_command("apply", str(path), "--org", "acme")
    assert "2,001 bytes" in str(exc.value) and "at most 2,000 bytes" in str(exc.value)
    assert "ACCORD_ORGFILE_MAX_BYTES" in str(exc.value) and "Nothing was changed" in str(exc.value)
    assert dump() == before
    settings.ACCORD_ORGFILE_MAX_BYTES = 2001
    call_command("apply", str(path), "--org", "acme")
    assert Team.objects.filter(org=cast.org, slug="sales").exists()


@pytest.mark.urls("tests.interchange.urls")
def test_the_upload_page_refuses_a_file_over_the_limit(cast, as_admin, settings):
    settings.ACCORD_ORGFILE_MAX_BYTES = 2000
    before = dump()
    page = as_admin.get("/o/acme/interchange/").content.decode()
    assert "At most 2,000 bytes." in page  # the limit is shown as configured
    response = as_admin.post(
        "/o/acme/interchange/plan/", {"file": SimpleUploadedFile("org.yaml", PADDED)}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "The file is 2,001 bytes; at most 2,000 are accepted" in text
    assert dump() == before
