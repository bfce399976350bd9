"""Regression tests from the review: zh-hans wording against the Huawei docs' terms (001: 设置“本次提现金额”和“提现银行信息”,
单击“下一步” … 确认流水信息,单击“确认提现”; 002: 在“付款申请”页签中筛选付款状态为“付款申请审核通过”)."""
import re

import pytest
from django.urls import reverse

from tests.conftest import login_client
from tests.incentives.withdrawals_fixtures import certify, credit, device_of
from tests.incentives.fh_fixtures import fh_partner

pytestmark = pytest.mark.django_db
URL = "/incentives/rebate/withdraw/"


def _button(body, id_):
    return re.search(rf'id="{id_}"[^>]*>([^<]*)<', body).group(1).strip()


def test_withdraw_buttons_use_the_documented_words(tenant_a):
    certify(tenant_a.partner)
    credit(tenant_a.partner, "100.00")
    device_of(tenant_a.admin)
    client = login_client(tenant_a.admin.user)
    body = client.get(URL).content.decode()
    assert _button(body, "withdraw-next") == "下一步"          # doc: 单击“下一步” (not 下一页, the pager's word)
    confirm = client.post(URL, {"amount": "30.00", "bank_name": "中国工商银行", "bank_branch": "北京分行",
                                "account_holder": "甲公司", "bank_account": ""}).content.decode()
    assert _button(confirm, "confirm-submit") == "确认提现"    # doc: 确认流水信息,单击“确认提现”


def test_fh_payment_filter_is_called_payment_status_as_documented(tenant_a, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    fh_partner(tenant_a)
    body = login_client(tenant_a.admin.user).get(reverse("incentives:fh_payments")).content.decode()
    assert "付款状态" in body, "doc: 筛选付款状态为“付款申请审核通过” — the page says 支付状态"
