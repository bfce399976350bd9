"""The directory demo: a few hundred enterprises with valid credit codes, reports in every state (one of them
with bj's associated customer), and a second run adds nothing."""

import pytest

from customers.demo import CUSTOMER_NAMES
from expansion import demo_directory
from expansion.choices import ReportStatus
from expansion.directory_import import credit_code_problem
from expansion.models import Enterprise, Report

from ..factories import AssociationFactory, MemberFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_the_demo_is_complete_and_idempotent():
    hd = PartnerFactory(account_name="hd-yunlian", partner_type="distributor")
    partners = {"bj": PartnerFactory(account_name="bj-zhiyun"), "hd": hd,
                "sz": PartnerFactory(account_name="sz-qihang", partner_type="reseller", distributor=hd)}
    members = {"bj.ceo": MemberFactory(partner=partners["bj"]), "bj.am1": MemberFactory(partner=partners["bj"])}
    customer = AssociationFactory(partner=partners["bj"], customer__real_name=CUSTOMER_NAMES[0],
                                  customer__verified_status="2").customer
    ctx = {"partners": partners, "members": members, "logins": [], "access_keys": []}

    demo_directory.seed(ctx)
    counts = (Enterprise.objects.count(), Report.objects.count())
    demo_directory.seed(ctx)

    assert (Enterprise.objects.count(), Report.objects.count()) == counts
    assert counts[0] >= 300
    assert all(credit_code_problem(code) is None for code in Enterprise.objects.values_list("credit_code", flat=True))
    assert set(Report.objects.filter(partner=partners["bj"]).values_list("status", flat=True)) == set(ReportStatus.values)
    assert Report.objects.filter(status=ReportStatus.ACTIVE).exclude(partner=partners["bj"]).exists()
    assert Report.objects.get(customer=customer).enterprise.name == CUSTOMER_NAMES[0]
