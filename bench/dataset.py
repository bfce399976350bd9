#!/usr/bin/env python
"""The scale data set of issue 10, built with set-based SQL on an empty PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.dataset --fresh --scale both

`--scale large` (into DATABASE_URL): one solution provider with 100,000 customers, 1,000,000 adjustments
with their 2,000,000 ledger entries, 100,000 coupons from 100 quotas with their coupon records.
`--scale small`: the same, 10× smaller. `--scale both`: large into DATABASE_URL and small into
`<name>_small` on the same server (or BENCH_SMALL_DATABASE_URL), then `manage.py verify_ledger` on the
small one (on the large one too with --verify-ledger: about 2 minutes and 6.5 GB of memory there).
`--fresh` drops and re-creates the database(s) first; without it the database must be empty (it is
migrated, then checked for rows). The database name must contain `bench`. Every build ends with
set-based consistency checks (balances vs ledger, running balances, quota balances).

What is in it (identical at both scales but for the counts):
- the partner `bench-sp` (solution provider), funded by one succeeded offline recharge;
- people: `bench.admin` (built-in administrator; password BENCH_PASSWORD, for the page measurements),
  5 team leads each supervising 10 account managers (`bench.am01` … `bench.am50`, role 客户经理);
  access keys made by `partnercenter.services.create_access_key` (the runner reads the SK back with
  `secretbox.decrypt`, as the gateway does) for the administrator and for `bench.am01`;
- customers: 70 % resale, 30 % referral, one active association each (5 in 6 with an account manager,
  spread round-robin over the 50 managers), 2 % with an ended earlier association as history, a
  customer account each; the first 10 customers' account names contain `flagship` at both scales (the
  `account_name` search the runner measures: the same 10 hits in 10k or 100k customers);
- adjustments: resale customers in turn, about 14 per customer at the large scale; every fifth of a
  customer's adjustments is a reclaim of 1–5 (allocations are 10–100, so no balance ever goes below
  zero); two ledger entries each (the partner's allocated amount, the customer's cash) with running
  balances computed by window functions, so `manage.py verify_ledger` passes;
- coupon quotas: half cash-coupon, half flexi-purchase, each holding 1,000 coupons (flexi ones to resale
  customers only), 5 % used up, 5 % half used, 5 % expired (with their expiry record), the rest
  effective; each quota's balance is its value less what it issued; one more cash-coupon quota,
  `bench-issue`, with nothing issued, for the runner's issue measurements.

Every row goes in through INSERT … SELECT … FROM generate_series; ids are given explicitly so running
balances follow id order, and the identity sequences are moved past them afterwards. What is live while
the rows go in: NOT NULL and check constraints, primary keys and every unique index (unique trans_id, one
active association per customer, …), the list-counter triggers. What is not: the loaded tables' other
(non-unique) indexes and their foreign keys. The builder (bulkload.py) drops those just before the load
and builds them again right after it, the order pg_restore uses and PostgreSQL's "Populating a Database"
advises: each index by CREATE INDEX from the definition PostgreSQL reported for it (pg_get_indexdef), each
foreign key by ADD CONSTRAINT … NOT VALID then VALIDATE CONSTRAINT, which checks every row in one
anti-join instead of one lookup per row and key at COMMIT (the ledger's three keys over its 2M rows: 2–5
s, where each of its two loading sessions spent 10–30 s in COMMIT on this shared 2-core machine). It then
reads the catalogue again and stops unless the indexes and foreign keys are exactly those it found, every
foreign key validated. So no constraint is disabled, and once the build is done every one holds for every
row and is enforced on every later write; but during the load a row pointing nowhere would be caught by
VALIDATE at the end, not at its INSERT. They are built again when the load fails too (the build then stops
with the load's error). Then VACUUM ANALYZE.
"""

import argparse
import time

from . import env

SCALES = {
    #          customers, adjustments, coupons
    "large": (100_000, 1_000_000, 100_000),
    "small": (10_000, 100_000, 10_000),
}
COUPONS_PER_QUOTA = 1_000
MANAGERS, LEADS = 50, 5
RESALE_OF_10 = 7                       # customers i with i % 10 < 7 are resale
FLAGSHIP = 10                          # customers whose account name contains "flagship"
CASH = "100000000.00"                  # the partner's recharge
QUOTA_VALUE = "500000.00"
ISSUE_QUOTA_VALUE = "10000000.00"
BENCH_PASSWORD = "Bench-pages-2026"
PARTNER = "bench-sp"
ADMIN = "bench.admin"


def say(*args):
    print(*args, flush=True)


# --- the database -----------------------------------------------------------------------------------

def recreate(url):
    """DROP and CREATE the database `url` names (its name must contain "bench"), via the maintenance db."""
    import psycopg2
    from psycopg2 import sql

    env.require_bench_url(url, "bench.dataset --fresh")
    name = env.database_name(url)
    conn = psycopg2.connect(env.with_database(url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


# --- the build (Django is set up for the target database by main()) ---------------------------------

class Timer:
    def __init__(self):
        self.steps = []

    def step(self, label, started):
        took = time.perf_counter() - started
        self.steps.append((label, took))
        say(f"  {label:<66} {took:6.1f}s")


def refuse_unless_empty():
    from customers.models import Customer
    from partnercenter.models import Partner, User

    if Partner.objects.exists() or Customer.objects.exists() or User.objects.exists():
        raise SystemExit("The database is not empty: give --fresh to drop and re-create it.")


def people():
    """The partner, its roles, members and access keys — a few rows, through the ORM and the services."""
    from partnercenter import services as org_services
    from partnercenter.actors import actor_for_user
    from partnercenter.models import Member, Partner, Role, User

    partner = Partner.objects.create(account_name=PARTNER, name="基准解决方案有限公司",
                                     partner_type="solution_provider",
                                     contracting_entity="华为云计算技术有限公司", email="bench@example.com")
    admin_role = Role.objects.create(partner=partner, name="管理员", is_administrator=True)
    manager_role = Role.objects.create(
        partner=partner, name="客户经理",
        permissions=["customers.view", "billing.view", "vouchers.view", "credentials.manage"])
    admin_user = User(username=ADMIN, email="bench.admin@example.com")
    admin_user.set_password(BENCH_PASSWORD)
    admin_user.save()
    admin = Member.objects.create(user=admin_user, partner=partner, display_name="基准管理员")
    admin.roles.add(admin_role)

    def member(username, display, supervisor):
        user = User(username=username, email=f"{username}@example.com")
        user.set_unusable_password()
        user.save()
        m = Member.objects.create(user=user, partner=partner, display_name=display, supervisor=supervisor)
        m.roles.add(manager_role)
        return m

    leads = [member(f"bench.lead{n + 1}", f"团队主管{n + 1}", admin) for n in range(LEADS)]
    managers = [member(f"bench.am{n + 1:02d}", f"客户经理{n + 1:02d}", leads[n % LEADS]) for n in range(MANAGERS)]

    # Keys through the service that makes them (the SK stored encrypted, as for any partner's key).
    org_services.create_access_key(actor_for_user(admin_user, ip="127.0.0.1"), description="bench")
    org_services.create_access_key(actor_for_user(managers[0].user, ip="127.0.0.1"), description="bench")
    return partner, admin_user, managers


def loaded_tables():
    """{model: table} of every table the set-based load writes."""
    from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge
    from customers.models import Association, Customer
    from vouchers.models import Coupon, CouponQuota, CouponRecord

    return {m: m._meta.db_table for m in (Customer, Association, CustomerAccount, Adjustment, LedgerEntry,
                                           PartnerAccount, Recharge, CouponQuota, Coupon, CouponRecord)}


def statements(partner, managers, scale):
    """(parameters, {name: SQL}) of the set-based load."""
    from billing.choices import BalanceType, OperationType, RechargeMethod, RechargeStatus, TradeType
    from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge
    from customers.choices import AssociationType
    from customers.models import Association, Customer
    from vouchers.choices import CouponOperation, CouponStatus, CouponType, QuotaStatus, QuotaType
    from vouchers.models import Coupon, CouponQuota, CouponRecord

    n_customers, n_adjustments, n_coupons = SCALES[scale]
    t = loaded_tables()
    p = {
        "partner": partner.pk, "partner_domain": partner.domain_id, "n": n_customers, "a": n_adjustments,
        "c": n_coupons, "q": n_coupons // COUPONS_PER_QUOTA, "r": n_customers * RESALE_OF_10 // 10,
        "ams": [m.pk for m in managers], "m": len(managers), "flagship": FLAGSHIP, "cash": CASH,
        "resale": AssociationType.RESALE.value, "referral": AssociationType.REFERRAL.value,
        "allocate": OperationType.ALLOCATE.value, "reclaim": OperationType.RECLAIM.value,
        "beadjust": TradeType.BEADJUST.value, "beretrieve": TradeType.BERETRIEVE.value,
        "recharge": TradeType.RECHARGE.value, "cash_type": BalanceType.CASH.value,
        "allocated_type": BalanceType.ALLOCATED.value,
        "remittance": RechargeMethod.REMITTANCE.value, "succeeded": RechargeStatus.SUCCEEDED.value,
        "quota_cash": QuotaType.CASH_COUPON.value, "quota_normal": QuotaStatus.NORMAL.value,
        "coupon_cash": CouponType.CASH_COUPON.value, "coupon_flexi": CouponType.FLEXI_COUPON.value,
        "effective": CouponStatus.EFFECTIVE.value, "used": CouponStatus.USED.value,
        "expired": CouponStatus.EXPIRED.value, "issue": CouponOperation.ISSUE.value,
        "expire": CouponOperation.EXPIRE.value, "quota_value": QUOTA_VALUE, "issue_value": ISSUE_QUOTA_VALUE,
        "operator": ADMIN, "half": n_adjustments // 2,
    }
    sql = {}

    # Customer i (0-based) has id i + 1. Resale iff i % 10 < 7; the r-th resale customer (0-based) is
    # i = (r / 7) * 10 + r % 7. Customers were created 20 days and more ago, one a minute.
    sql["customers"] = f"""
        INSERT INTO {t[Customer]} (id, domain_id, domain_name, real_name, verified_status, customer_type, country_code,
            mobile_phone, email, customer_level, is_frozen, xaccount_id, xaccount_type, in_debt, has_credit_debt,
            is_org_account, is_org_member, is_postpaid, has_special_contract, created_by_partner_id, created_at)
        SELECT i + 1, md5('bench-customer-' || i),
            CASE WHEN i < %(flagship)s THEN 'flagship-' ELSE '' END
              || (ARRAY['hangzhou','shanghai','beijing','shenzhen','chengdu','wuhan','xian','nanjing',
                        'suzhou','tianjin','qingdao','xiamen','dalian','hefei','kunming','harbin'])[1 + i %% 16]
              || '-' || (ARRAY['tech','cloud','data','retail','media','games','health','edu'])[1 + (i / 16) %% 8]
              || '-' || lpad(i::text, 6, '0'),
            (ARRAY['杭州','上海','北京','深圳','成都','武汉','西安','南京','苏州','天津','青岛','厦门'])[1 + i %% 12]
              || (ARRAY['云智','数据','零售','传媒','游戏','健康','教育','物流','制造','金融'])[1 + (i / 12) %% 10]
              || '科技有限公司' || i,
            CASE WHEN i %% 5 = 0 THEN '-1' ELSE '2' END, CASE WHEN i %% 4 = 0 THEN 0 ELSE 1 END, '0086',
            '138' || lpad(i::text, 8, '0'), 'customer' || i || '@example.com',
            CASE WHEN i %% 3 = 0 THEN 'V2' ELSE '' END,
            0, CASE WHEN i %% 2 = 0 THEN 'xa-' || i ELSE '' END, CASE WHEN i %% 2 = 0 THEN 'bench-platform' ELSE '' END,
            false, false, false, false, false, false, CASE WHEN i %% 3 = 0 THEN %(partner)s END,
            %(base)s - interval '20 days' - (%(n)s - i) * interval '1 minute'
        FROM generate_series(0, %(n)s - 1) AS i"""

    # One active association per customer; 2 % also have an ended, earlier one (history).
    sql["associations"] = f"""
        INSERT INTO {t[Association]} (id, partner_id, customer_id, association_type, associated_on, ended_on, label,
                                      account_manager_id)
        SELECT i + 1, %(partner)s, i + 1,
            CASE WHEN i %% 10 < 7 THEN %(resale)s ELSE %(referral)s END,
            %(base)s - interval '20 days' - (%(n)s - i) * interval '1 minute' + interval '1 hour', NULL,
            CASE WHEN i %% 7 = 0 THEN '重点' ELSE '' END,
            CASE WHEN i %% 6 = 0 THEN NULL ELSE (%(ams)s::bigint[])[1 + i %% %(m)s] END
        FROM generate_series(0, %(n)s - 1) AS i
        UNION ALL
        SELECT %(n)s + i / 50 + 1, %(partner)s, i + 1,
            CASE WHEN i %% 10 < 7 THEN %(referral)s ELSE %(resale)s END,
            %(base)s - interval '20 days' - (%(n)s - i) * interval '1 minute' + interval '1 minute',
            %(base)s - interval '20 days' - (%(n)s - i) * interval '1 minute' + interval '30 minutes', '', NULL
        FROM generate_series(1, %(n)s - 1, 50) AS i"""

    # Adjustment j (0-based, id j + 1) goes to resale customer r = j % R, as that customer's k-th (k = j / R);
    # every fifth of a customer's adjustments is a reclaim of 1–5 after four allocations of 10–100.
    # One a second, ending an hour ago, so time order is id order. trans_id is time-ordered like a UUIDv7
    # (8 hex digits of sequence, 24 of hash): random uuid4-style ids cost twice the index time here.
    adjustments = f"""
        INSERT INTO {t[Adjustment]} (id, partner_id, customer_id, reseller_id, operation_type, amount, trans_id,
                                     batch_id, memo, operator, created_at)
        SELECT j + 1, %(partner)s, ((j %% %(r)s) / 7) * 10 + (j %% %(r)s) %% 7 + 1, NULL,
            CASE WHEN (j / %(r)s) %% 5 = 4 THEN %(reclaim)s ELSE %(allocate)s END,
            CASE WHEN (j / %(r)s) %% 5 = 4 THEN (1 + j %% 5)::numeric
                 ELSE (10 + (j * 7) %% 90 + (j %% 100) / 100.0)::numeric(18, 2) END,
            lpad(to_hex(j), 8, '0') || substr(md5('bench-adjustment-' || j), 1, 24),
            CASE WHEN (j / %(r)s) %% 5 = 1 THEN md5('bench-batch-' || (j / 100)) ELSE '' END,
            CASE WHEN j %% 9 = 0 THEN '季度返利' ELSE '' END, %(operator)s,
            %(base)s - interval '1 hour' - (%(a)s - j) * interval '1 second'
        FROM generate_series({{lo}}, {{hi}}) AS j"""
    sql["adjustments, first half"] = adjustments.format(lo="0", hi="%(half)s - 1")
    sql["adjustments, second half"] = adjustments.format(lo="%(half)s", hi="%(a)s - 1")

    # The recharge that funds it all, before every adjustment.
    sql["recharge"] = f"""
        INSERT INTO {t[Recharge]} (id, partner_id, method, amount, status, reference, remitter, provider, trans_id,
                                   requested_by, decided_by, note, created_at, decided_at)
        VALUES (1, %(partner)s, %(remittance)s, %(cash)s::numeric, %(succeeded)s, 'BENCH', '基准解决方案有限公司', '',
                md5('bench-recharge'), %(operator)s, 'operator', '',
                %(base)s - interval '30 days', %(base)s - interval '30 days')"""

    # The ledger, one entry per side of each adjustment, with running balances in id order (what every
    # service writes): id 1 the recharge; 1 + a the partner's side of adjustment a (its allocated amount);
    # 1 + A + a the customer's side (its cash). Each balance's running total follows its own entries only.
    signed = f"""
        SELECT id, customer_id, operation_type, trans_id, created_at,
               CASE WHEN operation_type = %(allocate)s THEN amount ELSE -amount END AS signed
        FROM {t[Adjustment]} WHERE partner_id = %(partner)s"""
    sql["ledger, partner side"] = f"""
        INSERT INTO {t[LedgerEntry]} (id, partner_id, customer_id, balance_type, trade_type, amount, balance_after,
                                      available_after, trans_id, adjustment_id, counterparty, created_at)
        SELECT 1, %(partner)s, NULL::bigint, %(cash_type)s, %(recharge)s, %(cash)s::numeric, %(cash)s::numeric,
               %(cash)s::numeric, md5('bench-recharge'), NULL::bigint, '', %(base)s - interval '30 days'
        UNION ALL
        SELECT 1 + s.id, %(partner)s, NULL, %(allocated_type)s,
            CASE WHEN s.operation_type = %(allocate)s THEN %(beadjust)s ELSE %(beretrieve)s END,
            s.signed, s.after, %(cash)s::numeric - s.after, s.trans_id, s.id, c.domain_id, s.created_at
        FROM (SELECT a.*, sum(a.signed) OVER (ORDER BY a.id) AS after FROM ({signed}) AS a) AS s
        JOIN {t[Customer]} c ON c.id = s.customer_id"""
    sql["ledger, customer side"] = f"""
        INSERT INTO {t[LedgerEntry]} (id, partner_id, customer_id, balance_type, trade_type, amount, balance_after,
                                      available_after, trans_id, adjustment_id, counterparty, created_at)
        SELECT 1 + %(a)s + s.id, NULL, s.customer_id, %(cash_type)s,
            CASE WHEN s.operation_type = %(allocate)s THEN %(beadjust)s ELSE %(beretrieve)s END,
            s.signed, s.after, NULL, s.trans_id, s.id, %(partner_domain)s, s.created_at
        FROM (SELECT a.*, sum(a.signed) OVER (PARTITION BY a.customer_id ORDER BY a.id) AS after
              FROM ({signed}) AS a) AS s
        ORDER BY s.id"""

    sql["partner account"] = f"""
        INSERT INTO {t[PartnerAccount]} (id, partner_id, account_id, cash_balance, credit_limit, allocated_amount,
                                         rebate_balance, updated_at)
        SELECT 1, %(partner)s, md5('bench-partner-account'), %(cash)s::numeric, 0,
               coalesce(sum(CASE WHEN operation_type = %(allocate)s THEN amount ELSE -amount END), 0), 0, %(base)s
        FROM {t[Adjustment]} WHERE partner_id = %(partner)s"""
    sql["customer accounts"] = f"""
        INSERT INTO {t[CustomerAccount]} (id, customer_id, account_id, balance, arrears, updated_at)
        SELECT c.id, c.id, md5('bench-customer-account-' || c.id), coalesce(b.balance, 0), 0, %(base)s
        FROM {t[Customer]} c
        LEFT JOIN (SELECT customer_id,
                          sum(CASE WHEN operation_type = %(allocate)s THEN amount ELSE -amount END) AS balance
                   FROM {t[Adjustment]} GROUP BY customer_id) AS b ON b.customer_id = c.id"""

    # Quotas: q = 0 … Q-1 (id q + 1), even ones cash-coupon, odd ones flexi-purchase; id Q + 1 is `bench-issue`.
    sql["coupon quotas"] = f"""
        INSERT INTO {t[CouponQuota]} (id, quota_id, partner_id, parent_id, designated_customer_id, quota_type,
                                      quota_value, balance, status, effective_time, expire_time, cloud_service_types,
                                      product_ids, created_at, updated_at)
        SELECT q + 1, md5('bench-quota-' || q), %(partner)s, NULL::bigint, NULL::bigint, q %% 2,
               %(quota_value)s::numeric, %(quota_value)s::numeric, %(quota_normal)s, %(base)s - interval '90 days',
               %(base)s + interval '365 days', '[]'::jsonb, '[]'::jsonb, %(base)s - interval '90 days', %(base)s
        FROM generate_series(0, %(q)s - 1) AS q
        UNION ALL
        SELECT %(q)s + 1, md5('bench-issue'), %(partner)s, NULL, NULL, %(quota_cash)s, %(issue_value)s::numeric,
               %(issue_value)s::numeric, %(quota_normal)s, %(base)s - interval '1 day', %(base)s + interval '365 days',
               '[]'::jsonb, '[]'::jsonb, %(base)s - interval '1 day', %(base)s"""

    # Coupon c (0-based, id c + 1) from quota c % Q: cash coupons to any customer, flexi-purchase ones to
    # resale customers only. c % 20: 0 used up, 1 half used, 2 expired, else effective.
    sql["coupons"] = f"""
        INSERT INTO {t[Coupon]} (id, coupon_id, quota_id, partner_id, customer_id, coupon_type, face_value, balance,
                                 status, valid_time, expire_time, cloud_service_types, product_ids, remark, created_at,
                                 last_used_at)
        SELECT c + 1, md5('bench-coupon-' || c), c %% %(q)s + 1, %(partner)s,
            CASE WHEN (c %% %(q)s) %% 2 = 0 THEN (c * 7919) %% %(n)s + 1
                 ELSE (((c * 7919) %% %(r)s) / 7) * 10 + ((c * 7919) %% %(r)s) %% 7 + 1 END,
            CASE WHEN (c %% %(q)s) %% 2 = 0 THEN %(coupon_cash)s ELSE %(coupon_flexi)s END,
            50 + (c %% 20) * 10,
            CASE c %% 20 WHEN 0 THEN 0 WHEN 1 THEN (50 + (c %% 20) * 10) / 2 ELSE 50 + (c %% 20) * 10 END,
            CASE c %% 20 WHEN 0 THEN %(used)s WHEN 2 THEN %(expired)s ELSE %(effective)s END,
            %(base)s - interval '60 days' + (c %% 30) * interval '1 day',
            CASE WHEN c %% 20 = 2 THEN %(base)s - interval '1 day' ELSE %(base)s + interval '180 days' END,
            '[]'::jsonb, '[]'::jsonb, 'bench remark ' || (c %% 100),
            %(base)s - interval '1 day' - (%(c)s - c) * interval '20 seconds',
            CASE WHEN c %% 20 IN (0, 1) THEN %(base)s - interval '12 hours' END
        FROM generate_series(0, %(c)s - 1) AS c"""
    sql["coupon records (issue; expiry of the expired)"] = f"""
        INSERT INTO {t[CouponRecord]} (id, partner_id, operation_type, quota_id, coupon_id, customer_id, amount,
                                       result, remark, operator, created_at)
        SELECT 2 * cp.id - 1, %(partner)s, %(issue)s, cp.quota_id, cp.id, cp.customer_id, cp.face_value, '0',
               cp.remark, %(operator)s, cp.created_at
        FROM {t[Coupon]} cp WHERE cp.partner_id = %(partner)s
        UNION ALL
        SELECT 2 * cp.id, %(partner)s, %(expire)s, cp.quota_id, cp.id, cp.customer_id, cp.balance, '0', '',
               'system', cp.expire_time
        FROM {t[Coupon]} cp WHERE cp.partner_id = %(partner)s AND cp.status = %(expired)s
        ORDER BY 1"""
    sql["quota balances (value less what was issued)"] = f"""
        UPDATE {t[CouponQuota]} qt SET balance = qt.quota_value - s.issued
        FROM (SELECT quota_id, sum(face_value) AS issued FROM {t[Coupon]} GROUP BY quota_id) AS s
        WHERE s.quota_id = qt.id"""
    sql["identity sequences past the explicit ids"] = "; ".join(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        for table in t.values())
    return p, sql


# Each phase runs its sessions in parallel (one connection and one transaction each, committed at the end);
# a phase starts once the one before it has committed, because its SELECTs read what the earlier phases
# wrote (the ledger reads the adjustments, the accounts sum them, the coupon records copy the coupons).
PHASES = [
    [["customers", "coupon quotas", "recharge"]],
    [["adjustments, first half"], ["adjustments, second half"],
     ["associations", "coupons", "coupon records (issue; expiry of the expired)",
      "quota balances (value less what was issued)"]],
    [["ledger, partner side", "partner account"], ["ledger, customer side"], ["customer accounts"]],
    [["identity sequences past the explicit ids"]],
]


def bulk(partner, managers, scale):
    """Everything big: one INSERT … SELECT per table (or half-table), sessions in parallel per phase, by
    bulkload.load: the tables' non-unique indexes and foreign keys dropped first and built again after the
    rows (as pg_restore does), each foreign key validated over every row, the catalogue checked as before."""
    from django.db import connection

    from . import bulkload

    params, sql = statements(partner, managers, scale)
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('second', now())")
        params["base"] = cur.fetchone()[0]
    bulkload.load(connection.get_connection_params(), sorted(loaded_tables().values()),
                  [[[(name, sql[name], params) for name in names] for names in phase] for phase in PHASES])


def vacuum():
    """VACUUM ANALYZE, as autovacuum would leave settled tables (visibility map and statistics)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def consistency_problems():
    """Set-based consistency checks of money and coupons (fast; `manage.py verify_ledger` proves the ledger
    row by row): every running balance follows its entries in id order, every account equals its
    entries, no running balance is negative, every quota's balance is its value less what it issued."""
    from django.db import connection

    from billing.models import CustomerAccount, LedgerEntry, PartnerAccount
    from vouchers.models import Coupon, CouponQuota

    le, ca, pa = LedgerEntry._meta.db_table, CustomerAccount._meta.db_table, PartnerAccount._meta.db_table
    qt, cp = CouponQuota._meta.db_table, Coupon._meta.db_table
    queries = {
        "ledger running balances": f"""
            SELECT count(*) FROM (
              SELECT balance_after,
                     sum(amount) OVER (PARTITION BY partner_id, customer_id, balance_type ORDER BY id) AS s
              FROM {le}) x WHERE balance_after <> s""",
        "customer balances vs ledger": f"""
            SELECT count(*) FROM {ca} a LEFT JOIN (SELECT customer_id, sum(amount) AS s FROM {le}
              WHERE customer_id IS NOT NULL GROUP BY customer_id) l ON l.customer_id = a.customer_id
            WHERE a.balance <> coalesce(l.s, 0)""",
        "partner balances vs ledger": f"""
            SELECT count(*) FROM {pa} a WHERE
              a.cash_balance <> (SELECT coalesce(sum(amount), 0) FROM {le} WHERE partner_id = a.partner_id
                                 AND balance_type = 'cash')
              OR a.allocated_amount <> (SELECT coalesce(sum(amount), 0) FROM {le} WHERE partner_id = a.partner_id
                                        AND balance_type = 'allocated')""",
        "negative running balances": f"SELECT count(*) FROM {le} WHERE balance_after < 0",
        "quota balances vs coupons": f"""
            SELECT count(*) FROM {qt} q LEFT JOIN (SELECT quota_id, sum(face_value) AS s FROM {cp} GROUP BY quota_id) c
              ON c.quota_id = q.id WHERE q.parent_id IS NULL AND q.designated_customer_id IS NULL
              AND q.balance <> q.quota_value - coalesce(c.s, 0)""",
    }
    problems = []
    with connection.cursor() as cur:
        for label, query in queries.items():
            cur.execute(query)
            bad = cur.fetchone()[0]
            if bad:
                problems.append(f"{label}: {bad:,} differences")
    return problems


def check(scale):
    """The row counts of the data set, and consistency_problems()."""
    from billing.models import Adjustment, LedgerEntry
    from customers.models import Customer
    from vouchers.models import Coupon

    n_customers, n_adjustments, n_coupons = SCALES[scale]
    counts = {"customers": Customer.objects.count(), "adjustments": Adjustment.objects.count(),
              "coupons": Coupon.objects.count(), "ledger entries": LedgerEntry.objects.count()}
    expected = {"customers": n_customers, "adjustments": n_adjustments, "coupons": n_coupons,
                "ledger entries": 2 * n_adjustments + 1}
    problems = [f"{k}: {counts[k]:,} rows, expected {v:,}" for k, v in expected.items() if counts[k] != v]
    return counts, problems + consistency_problems()


def build(url, scale, *, fresh, verify_ledger=False):
    """Build one data set into `url` (in a process of its own: Django binds to one database per process)."""
    env.require_bench_url(url, "bench.dataset")
    total = time.perf_counter()
    if fresh:
        recreate(url)
    env.setup_django(url)
    from django.core.management import call_command, get_commands
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        raise SystemExit("bench.dataset builds on PostgreSQL only.")
    say(f"bench.dataset: {scale} data set into {env.database_name(url)!r}")
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - started
    say(f"  {'migrate':<66} {migrate_s:6.1f}s")
    refuse_unless_empty()

    load_started = time.perf_counter()
    started = time.perf_counter()
    with transaction.atomic():
        partner, _admin, managers = people()
    Timer().step(f"partner, {LEADS + MANAGERS + 1} members, roles, 2 access keys (ORM, services)", started)
    try:
        bulk(partner, managers, scale)
    except Exception:
        say("  The load failed part-way; rebuild with --fresh.")
        raise
    started = time.perf_counter()
    vacuum()
    Timer().step("VACUUM ANALYZE", started)
    load_s = time.perf_counter() - load_started

    started = time.perf_counter()
    counts, problems = check(scale)
    Timer().step("set-based consistency checks", started)
    for problem in problems:
        say(f"  PROBLEM: {problem}")
    if verify_ledger:
        started = time.perf_counter()
        call_command("verify_ledger")
        Timer().step("manage.py verify_ledger", started)
    if "verify_counts" in get_commands():  # the list counters (kept by triggers) match the rows
        started = time.perf_counter()
        call_command("verify_counts")
        Timer().step("manage.py verify_counts", started)
    connection.close()
    say(f"  data set built in {load_s:.1f}s (after migrate {migrate_s:.1f}s; "
        f"total {time.perf_counter() - total:.1f}s): " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    if problems:
        raise SystemExit(f"{len(problems)} consistency problem(s)")
    return load_s


def main(argv=None):
    import os
    import subprocess
    import sys

    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["large", "small", "both"], default="large")
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the database(s) first")
    parser.add_argument("--verify-ledger", action="store_true",
                        help="also run manage.py verify_ledger (with --scale both: on the large set too; there it "
                             "takes minutes and GBs of memory)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args(argv)
    url = env.require_bench_url(args.database_url, "bench.dataset")
    if args.scale != "both":
        build(url, args.scale, fresh=args.fresh, verify_ledger=args.verify_ledger)
        return
    # One process per database (Django's default connection is fixed once set up).
    for scale, target in (("large", url), ("small", env.small_url(url))):
        command = [sys.executable, "-m", "bench.dataset", "--scale", scale, "--database-url", target]
        command += ["--fresh"] * args.fresh + ["--verify-ledger"] * (args.verify_ledger or scale == "small")
        if subprocess.call(command, cwd=env.ROOT) != 0:
            raise SystemExit(f"building the {scale} data set failed")


if __name__ == "__main__":
    main()
