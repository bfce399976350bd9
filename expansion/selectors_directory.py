"""Reads of the directory area, scoped to the actor.

The enterprise directory (企业百科) belongs to no partner: every member with `expansion.view` searches it
and opens any entry. Reports (报备) are the partner's own: another partner's report is not found; of another
partner's protection a member learns only that the enterprise is protected and until when (never by whom).

**Name search** (`search_enterprises`): only letters, digits and CJK characters count (`search_kind`).
Punctuation and symbols at either end of the query are dropped (`searched_text`); a query of three
countable characters or more matches names containing it (`name ILIKE '%…%'`, Django's icontains:
`UPPER(name::text) LIKE UPPER(…)`); with one or two, names beginning with it (`name LIKE '…%'`); with none
(`---`, `%%%`, `___`) nothing at all, and the page says why; an 18-character unified social credit code
matches that enterprise. Results are ordered by name.
- Why count only those: pg_trgm takes its trigrams from the words of the pattern (letters and digits,
  CJK characters under a UTF-8 ctype), never from punctuation. `---` has none, so the GIN index cannot be
  used and the capped count of a rare match becomes a (parallel) scan of the whole directory — a second at
  1M rows. Three countable characters always leave a trigram: a word of three, or a word of two next to
  punctuation ("ab " in `ab-c`), or a one-character word between two others (`a-b-c`).
- PostgreSQL: the contains-search is a lookup in the GIN trigram index on `UPPER(name::text)`
  (migration 0002, pg_trgm; CJK names have trigrams under a UTF-8 ctype such as C.UTF-8). A query of
  one or two characters has no trigram to look up, hence the prefix-search, which reads the name's
  `varchar_pattern_ops` index (Django's `_like` index). When a query matches a large share of the
  directory, the planner walks the name index in order instead and stops at the page.
- SQLite (the embedded default): the documented fallback. The same queries, without a trigram index:
  the prefix-search and the ordering read the name index, the contains-search scans the table (a few
  thousand rows in the demo take milliseconds; load a large directory into PostgreSQL).
- The total is counted up to SEARCH_CAP (`COUNT(*)` over `LIMIT SEARCH_CAP + 1`) and only that many are
  paged, so a query matching half a million names costs what one matching a few hundred does; the page
  says "more than …" and asks for more of the name. (The count of a common word reads rows until it has
  SEARCH_CAP + 1 matches, by a scan when the word is in most names: the cap bounds that work, whatever
  the size of the directory; bench/directory.py measures it at 10k and 1M.)
"""

import re

from django.core.paginator import Paginator
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.functional import cached_property

from customers.choices import VerifiedStatus
from customers.selectors import customers_for

from .choices import ReportStatus
from .models import Enterprise, Report

__all__ = [
    "MIN_CONTAINS", "SEARCH_CAP", "MAX_QUERY", "normalize_query", "searched_text", "search_kind", "enterprises_for",
    "matching", "search_enterprises", "enterprise_for", "reports_for", "report_for", "protections_of",
    "own_reports_of", "reportable_customers", "CountCappedPaginator", "CappedPaginator", "enterprises_named",
    "effective_status_q",
]

MIN_CONTAINS = 3
SEARCH_CAP = 200  # 10 pages of 20: a search finding more asks for more of the name
MAX_QUERY = 100
_CREDIT_CODE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{18}")
_NOT_COUNTED = re.compile(r"[\W_]+")             # what is neither a letter, a digit nor a CJK character
_ENDS = re.compile(r"^[\W_]+|[\W_]+$")


def normalize_query(query) -> str:
    """The query as searched: spaces collapsed, NUL bytes dropped, at most MAX_QUERY characters."""
    return " ".join(str(query or "").replace("\x00", "").split())[:MAX_QUERY]


def searched_text(query) -> str:
    """The query as the name search uses it: normalized, without punctuation or symbols at either end (inner
    ones stay: "A&B", "（中国）有限公司" are in names)."""
    return _ENDS.sub("", normalize_query(query))


def search_kind(query) -> str:
    """How `matching` searches for `query`: "" (no query), "code" (a credit code), "contains" (three letters,
    digits or CJK characters or more), "prefix" (one or two), or "none" (none at all: punctuation and
    symbols only, which no index can look up; nothing is searched)."""
    q = normalize_query(query)
    if not q:
        return ""
    if _CREDIT_CODE.fullmatch(q.replace(" ", "").upper()):
        return "code"
    counted = len(_NOT_COUNTED.sub("", q))
    if counted >= MIN_CONTAINS:
        return "contains"
    return "prefix" if counted else "none"


def _can_view(actor) -> bool:
    return actor.is_partner and actor.has_perm("expansion.view")


def enterprises_for(actor):
    """The whole directory for a member with expansion.view (it belongs to no partner), else nothing."""
    return Enterprise.objects.all() if _can_view(actor) else Enterprise.objects.none()


def matching(queryset, query):
    """The enterprises of `queryset` a search finds (module docstring); none for an empty query or one without
    a letter, digit or CJK character (no statement runs)."""
    kind = search_kind(query)
    if kind == "code":
        return queryset.filter(credit_code=normalize_query(query).replace(" ", "").upper())
    if kind == "contains":
        return queryset.filter(name__icontains=searched_text(query))
    if kind == "prefix":
        return queryset.filter(name__startswith=searched_text(query))
    return queryset.none()


def search_enterprises(actor, query):
    """The enterprises a search finds, ordered by name."""
    return matching(enterprises_for(actor), query)


def enterprise_for(actor, pk) -> Enterprise | None:
    if not _can_view(actor):
        return None
    return Enterprise.objects.filter(pk=pk).first()


def enterprises_named(name: str):
    """Directory entries whose name is exactly `name` (the name index)."""
    return Enterprise.objects.filter(name=name) if name else Enterprise.objects.none()


def reports_for(actor):
    """The reports of the actor's partner (报备客户 › 我的报备), newest first, with what the list shows."""
    if not _can_view(actor):
        return Report.objects.none()
    return Report.objects.filter(partner=actor.partner).select_related("enterprise", "customer", "created_by__user")


def report_for(actor, pk) -> Report | None:
    return reports_for(actor).filter(pk=pk).first()


def protections_of(enterprise_ids, *, now=None) -> dict:
    """{enterprise id: the ACTIVE report protecting it} for the given enterprises, one statement. A report
    past its protected_until protects nothing (the task has not moved it yet) and is left out."""
    now = now or timezone.now()
    ids = list(enterprise_ids)
    if not ids:
        return {}
    reports = Report.objects.filter(enterprise_id__in=ids, status=ReportStatus.ACTIVE, protected_until__gt=now).only(
        "id", "enterprise_id", "partner_id", "protected_until")
    return {report.enterprise_id: report for report in reports}


def own_reports_of(actor, enterprise, *, limit=20):
    """The actor's partner's reports of one enterprise, newest first."""
    return reports_for(actor).filter(enterprise=enterprise)[:limit]


def reportable_customers(actor, enterprise):
    """The actor's associated customers that may be reported with this enterprise: verified real-name
    customers whose real-name name is the enterprise's name (customers' own scope: an account manager
    sees their customers only)."""
    if not enterprise.name:
        return customers_for(actor).none()
    return customers_for(actor).filter(verified_status=VerifiedStatus.VERIFIED, real_name=enterprise.name)


class CountCappedPaginator(Paginator):
    """Counts at most `cap` rows (`COUNT(*)` over `LIMIT cap + 1`; `capped` says there were more), so the
    count costs the same in a directory of 10k or 1M; pages past the cap do not exist."""

    cap = SEARCH_CAP
    capped = False

    @cached_property
    def count(self):
        counted = self.object_list.order_by()[:self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


class CappedPaginator(CountCappedPaginator):
    """Counts at most SEARCH_CAP rows (`capped` says there were more); pages past the cap do not exist.

    The count also decides how the page is read. Under the cap, every match is known to be among a few
    hundred rows: they are read through the search's own index and sorted (`ORDER BY name || ''`, the
    same order, which no index provides). Otherwise the last page's LIMIT (the count, e.g. 3) could lead
    the planner, estimating more matches than there are, to walk the whole name index in order looking for
    them. At the cap (a common word) the planner chooses, and walking the name index is then the fast way."""

    def page(self, number):
        self.count  # noqa: B018  (counted first: the count says whether the matches are few)
        if not self.capped and self.object_list.ordered:
            self.object_list = self.object_list.order_by(Concat(F("name"), Value("")), "id")
        return super().page(number)


def effective_status_q(status: str, now=None) -> Q:
    """The reports whose status, as the partner sees it, is `status`: an ACTIVE report past its
    protected_until is expired already (the task moves it within the half hour)."""
    now = now or timezone.now()
    if status == ReportStatus.ACTIVE:
        return Q(status=ReportStatus.ACTIVE, protected_until__gt=now)
    if status == ReportStatus.EXPIRED:
        return Q(status=ReportStatus.EXPIRED) | Q(status=ReportStatus.ACTIVE, protected_until__lte=now)
    return Q(status=status)
