"""The operators' usage import in the admin: a dry run counts what would be created, what is a duplicate and what
fails (with the first errors) and changes nothing; the import then stores the checked file through the same
ingest as the endpoint, a chunk of 1,000 rows at a time; a failure file of the failed rows (line, error code and
message, formula-like cells neutralised) is downloadable, and once corrected it imports as it is."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from bills import importing, ingest
from bills.choices import UsageSource
from bills.models import UsageRecord

from ..conftest import login_client
from ..factories import UserFactory
from .ingest_helpers import record, records, usage_world

pytestmark = pytest.mark.django_db

IMPORT = "admin:bills_usagerecord_import"


@pytest.fixture
def world():
    return usage_world()


@pytest.fixture
def operator():
    return login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))


def csv_file(rows, *, columns=importing.COLUMNS, encoding="utf-8-sig", name="usage.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(column) is None else row.get(column, "") for column in columns])
    upload = io.BytesIO(buffer.getvalue().encode(encoding))
    upload.name = name
    return upload


def dry_run(client, upload):
    return client.post(reverse(IMPORT), {"file": upload, "dry_run": "1"})


def token_of(response):
    return re.search(r'name="token" value="([0-9a-f]+)"', response.content.decode()).group(1)


def counts(response):
    page = response.content.decode()
    return tuple(int(re.search(rf'id="usage-{name}">(\d+)<', page).group(1)) for name in ("created", "duplicates", "failed"))


def mixed(world):
    """Five good rows (one of them stored already), a row for no customer, and a formula-like record_id."""
    rows = records(world.customer, 5, prefix="f")
    rows.append(record(world.customer, "f-stranger", customer_id="0" * 32))
    rows.append(record(world.customer, "=HYPERLINK(\"http://x\")", region="@mars"))
    ingest.ingest([rows[0]], source=UsageSource.API)
    return rows


def test_a_dry_run_counts_and_changes_nothing(world, operator):
    rows = mixed(world)
    before = list(UsageRecord.objects.values_list("record_id", "usage_amount", "received_at"))

    response = dry_run(operator, csv_file(rows))

    assert response.status_code == 200
    assert counts(response) == (4, 1, 2)
    page = response.content.decode()
    assert "CBC.99009011" in page and "CBC.99009013" in page and 'id="usage-failure-file"' in page
    assert list(UsageRecord.objects.values_list("record_id", "usage_amount", "received_at")) == before


def test_the_import_stores_the_checked_file_and_again_stores_nothing(world, operator):
    rows = mixed(world)
    checked = dry_run(operator, csv_file(rows))

    imported = operator.post(reverse(IMPORT), {"apply": "1", "token": token_of(checked)})

    assert imported.status_code == 200 and counts(imported) == (4, 1, 2)
    assert UsageRecord.objects.filter(source=UsageSource.FILE).count() == 4 and UsageRecord.objects.count() == 5
    # the token is spent; the same file checked and imported again stores nothing new
    spent = operator.post(reverse(IMPORT), {"apply": "1", "token": token_of(checked)})
    assert 'class="error"' in spent.content.decode() and 'id="usage-import-result"' not in spent.content.decode()
    again = dry_run(operator, csv_file(rows))
    assert counts(again) == (0, 5, 2) and 'id="usage-apply"' not in again.content.decode()  # nothing to import
    assert UsageRecord.objects.count() == 5


def test_the_failure_file_lists_the_failed_rows_neutralised_and_imports_once_corrected(world, operator):
    rows = mixed(world)
    checked = dry_run(operator, csv_file(rows))
    link = re.search(r'href="([^"]+)" id="usage-failure-file"', checked.content.decode()).group(1)

    download = operator.get(link)

    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    text = download.content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["line"], r["record_id"], r["error_code"]) for r in table] == [
        ("7", "f-stranger", "CBC.99009011"), ("8", "'=HYPERLINK(\"http://x\")", "CBC.99009013")]
    assert table[1]["region"] == "'@mars" and table[0]["error_msg"]
    assert set(table[0]) == {"line", *importing.COLUMNS, "error_code", "error_msg"}
    # another operator cannot fetch it
    other = login_client(UserFactory(username="ops2", is_staff=True, is_superuser=True))
    assert other.get(link).status_code == 404

    # corrected (the customer and the region), the failure file imports as it is
    fixed = text.replace("0" * 32, world.customer.domain_id).replace("'@mars", "cn-north-4")
    upload = io.BytesIO(fixed.encode("utf-8-sig"))
    upload.name = "fixed.csv"
    corrected = operator.post(reverse(IMPORT), {"apply": "1", "token": token_of(dry_run(operator, upload))})
    assert counts(corrected) == (2, 0, 0)
    assert UsageRecord.objects.filter(record_id='=HYPERLINK("http://x")', region_code="cn-north-4").exists()


def test_a_large_file_goes_through_ingest_a_thousand_rows_at_a_time(world, monkeypatch):
    rows = records(world.customer, 2500, prefix="big")
    rows.append(dict(rows[10]))                       # a row repeated two chunks later: a duplicate
    rows.append(dict(rows[20], usage="9"))            # … and one with other content: a conflict
    sizes = []
    real = ingest.ingest

    def spy(batch, **kwargs):
        sizes.append(len(batch))
        return real(batch, **kwargs)
    monkeypatch.setattr(ingest, "ingest", spy)

    checked = importing.run_import(csv_file(rows), dry_run=True)
    assert (checked.created, checked.duplicates, checked.failed) == (2500, 1, 1) and not UsageRecord.objects.exists()
    report = importing.run_import(csv_file(rows), dry_run=False)

    assert sizes == [1000, 1000, 502] * 2
    assert (report.created, report.duplicates, report.failed) == (2500, 1, 1)
    assert report.first_errors[0].line == 2503 and report.first_errors[0].code == "CBC.99009010"
    assert UsageRecord.objects.count() == 2500


def test_a_control_character_in_a_cell_fails_its_row(world):
    rows = [record(world.customer, "nul", resource_id="vm\x00-1"), record(world.customer, "fine")]

    report = importing.run_import(csv_file(rows), dry_run=False)

    assert (report.created, report.failed, report.first_errors[0].code) == (1, 1, "CBC.0100")
    assert list(UsageRecord.objects.values_list("record_id", flat=True)) == ["fine"]


def test_optional_columns_may_be_left_out_and_gbk_files_are_read(world):
    columns = [c for c in importing.COLUMNS if c not in ("resource_size", "resource_spec_code")]
    rows = [record(world.customer, "gbk-1", resource_id=world.server.resource_id)]

    report = importing.run_import(csv_file(rows, columns=columns, encoding="gb18030"), dry_run=False)

    assert (report.created, report.failed) == (1, 0)
    assert UsageRecord.objects.get(record_id="gbk-1").resource_spec_code == ""


@pytest.mark.parametrize("content,problem", [
    (b"", "no header"),
    (b"record_id,customer_id\nx,y\n", "Missing columns"),
    (",".join(importing.COLUMNS + ["colour"]).encode() + b"\n", "Unknown columns"),
    (",".join(importing.COLUMNS + ["usage"]).encode() + b"\n", "named twice"),
    (",".join(importing.COLUMNS).encode() + b"\n", "no usage records"),
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(world, operator, content, problem):
    upload = io.BytesIO(content)
    upload.name = "bad.csv"

    with pytest.raises(importing.UsageFileError, match=problem), translation.override("en"):
        importing.run_import(io.BytesIO(content), dry_run=True)
    response = dry_run(operator, upload)

    page = response.content.decode()
    assert response.status_code == 200 and ('id="usage-file-error"' in page or "errorlist" in page)  # empty: the form
    assert "usage-apply" not in page


def test_importing_takes_the_permission_to_add_usage_records(world):
    staff = UserFactory(username="viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_usagerecord"))
    client = login_client(staff)

    listing = client.get(reverse("admin:bills_usagerecord_changelist"))
    refused = client.post(reverse(IMPORT), {"file": csv_file([record(world.customer)]), "dry_run": "1"})

    assert listing.status_code == 200 and 'id="usage-import"' not in listing.content.decode()
    assert refused.status_code == 403 and not UsageRecord.objects.exists()


def test_the_list_links_to_the_import(operator):
    page = operator.get(reverse("admin:bills_usagerecord_changelist")).content.decode()
    assert reverse(IMPORT) in page


ADMIN_LISTS = ["usagerecord", "feerecord", "resourcepackage", "billingperiod", "customermonthlysum", "partnerbill"]


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_the_bills_admin_lists_are_read_only(world, operator, model):
    ingest.ingest([record(world.customer, "shown")], source=UsageSource.API)

    listing = operator.get(reverse(f"admin:bills_{model}_changelist"), {"q": "shown"})
    add = operator.get(reverse(f"admin:bills_{model}_add"))

    assert listing.status_code == 200 and add.status_code == 403
    if model == "usagerecord":
        assert "shown" in listing.content.decode()
        detail = operator.get(reverse("admin:bills_usagerecord_change", args=[UsageRecord.objects.get().pk]))
        assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
        assert operator.post(reverse("admin:bills_usagerecord_delete", args=[UsageRecord.objects.get().pk]),
                             {"post": "yes"}).status_code == 403
        assert UsageRecord.objects.count() == 1
