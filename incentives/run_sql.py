"""The SQL of the monthly incentive run (incentives/run.py): set-based statements, one of each per chunk of
partners, that run unchanged on SQLite and PostgreSQL (table and column names from `_meta`; the two dialect
differences — a random statement number and rounding a product to the fen — are `_new_number()` and
`_round_fen()`).

Every statement reads or writes one chunk: the partners with `lo < id ≤ hi` (`%(lo)s`, `%(hi)s`) in one billing
cycle (`%(cycle)s`). In the order run.py issues them:

1. `delete_statements`, `delete_details` — the chunk's replaceable statements (待对账, 有异议), then the lines
   they leave without a statement (in that order: a statement made final meanwhile keeps its lines).
2. `placeholders(kind)` — one empty PENDING statement per partner, association type and kind for the policy
   that applies (`_policy_map()`, the rule of incentives/policies.py in SQL), unless a statement of that partner,
   cycle, association type and kind is left (confirmed or final: kept, and its lines are not recomputed).
3. `base_details` — ONE `INSERT … SELECT … GROUP BY` over the cycle's fee records: grouped per partner,
   association, customer, service type and charging mode first (the only pass over the fee records), then
   joined with the association (its type), the policy map, the service type's rule and the placeholder.
   Performance = Σ(cash + arrears + arrears paid), consumption = Σ consume_amount; code 2 lines are left out;
   rebate = ROUND(performance × rate, 2) per line.
4. `first_order_details` — the special incentive: NEW yearly/monthly fee records of associations that began in
   the cycle (driven by those associations), at the policy's `first_order_rate`, for services earning rebate.
5. `totals` — each placeholder's performance and amount from its lines (amount floored at 0), in one grouped
   pass over the lines.
6. `delete_empty_details`, `delete_empty` — statements whose performance and amount are both 0, with their lines.
7. `tiers` — a TIER statement per base statement whose performance reached a tier: the highest tier's
   extra rate × that performance.
"""

from __future__ import annotations

import re

from django.db import connection

from bills.models import FeeRecord
from customers.models import Association
from partnercenter.models import Partner
from programs.models import Membership, Program

from .choices import EARNING_CODES, REBATE_CODES
from .models import IncentiveDetail, IncentivePolicy, IncentiveStatement, PolicyServiceRule, PolicyTier

__all__ = ["positional", "placeholders", "base_details", "first_order_details", "tiers", "totals",
           "delete_details", "delete_statements", "delete_empty_details", "delete_empty", "next_upper",
           "count_chunk", "count_kept_lines", "grouped_fees", "defaults"]


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _c(model, name, alias="") -> str:
    column = connection.ops.quote_name(model._meta.get_field(name).column)
    return f"{alias}.{column}" if alias else column


def positional(sql: str, values: dict) -> tuple[str, list]:
    """`%(name)s` placeholders → `%s` with the values in order (both backends take `%s`)."""
    params = []

    def one(match):
        params.append(values[match.group(1)])
        return "%s"

    return re.sub(r"%\((\w+)\)s", one, sql), params


def _new_number() -> str:
    """A random 20-character statement number per row, as models.new_number makes them (hex, upper case)."""
    if connection.vendor == "postgresql":
        return "UPPER(SUBSTR(REPLACE(CAST(gen_random_uuid() AS TEXT), '-', ''), 1, 20))"
    return "UPPER(HEX(RANDOMBLOB(10)))"


def _round_fen(amount: str, rate: str) -> str:
    """ROUND(amount × rate, 2), half away from zero, exactly. PostgreSQL computes it in numeric; SQLite keeps
    money as binary floats, so there the product is taken in integers (fen × rate in 1/10000) and rounded by
    integer division — 10.10 × 0.05 is 0.51 on both, never 0.50."""
    if connection.vendor == "postgresql":
        return f"ROUND(({amount}) * ({rate}), 2)"
    product = f"(CAST(ROUND(({amount}) * 100) AS INTEGER) * CAST(ROUND(({rate}) * 10000) AS INTEGER))"
    return (f"(CASE WHEN {product} >= 0 THEN ({product} + 5000) / 10000 "
            f"ELSE -((5000 - {product}) / 10000) END) / 100.0")


def _filled(model, given) -> tuple[str, str, dict]:
    """The columns of `model` a raw INSERT does not give, with their defaults ('' for a blank text column), as
    (columns, placeholders, values) — so a field added later with a default does not break the run."""
    columns, names, values = [], [], {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in given or field.null:
            continue
        default = field.get_default()
        if default is None:
            raise RuntimeError(f"incentives.run_sql: {model.__name__}.{field.name} needs a value")
        name = f"default_{field.column}"
        columns.append(connection.ops.quote_name(field.column))
        names.append(f"%({name})s")
        values[name] = default
    return ", ".join(columns), ", ".join(names), values


def defaults() -> dict:
    """The values of the defaulted columns of the statements the run inserts."""
    return _filled(IncentiveStatement, _STATEMENT_GIVEN)[2]


S, D, F, A, P = IncentiveStatement, IncentiveDetail, FeeRecord, Association, IncentivePolicy
s_ = lambda name, alias="s": _c(S, name, alias)  # noqa: E731
d_ = lambda name, alias="d": _c(D, name, alias)  # noqa: E731
f_ = lambda name, alias="f": _c(F, name, alias)  # noqa: E731
p_ = lambda name, alias="p": _c(P, name, alias)  # noqa: E731

_IN_CHUNK = "{col} > %(lo)s AND {col} <= %(hi)s"


def _chunk(column: str) -> str:
    return _IN_CHUNK.format(col=column)


def _policy_map(kind_param: str | None = None) -> str:
    """`WITH pp AS MATERIALIZED (…)`: (partner_id, association_type, policy_id), the policy that applies to each
    partner of the chunk with fee records in the cycle, for each association type (rows without a policy left
    out); with `kind_param`, also `statement_id`, the fresh PENDING statement of that kind the lines go to (rows
    without one — kept, confirmed or final — left out). A programme's policy only for a partner that held the
    programme in the cycle (policies.held_in: JOINED or LEFT since the cycle's start `%(start)s`, decided before
    its end `%(end)s`). Materialized,
    and the only way the big statement reaches the policies and statements: computed once, a few hundred rows.
    Inlined, PostgreSQL evaluated the correlated policy subquery for every grouped line, and joined with the
    statements table (no statistics yet for the placeholders just written) it chose a nested loop over the grouped
    fee records: 70 s and 793 s for the lines of 1M fee records, against 19 s now (bench/README.md)."""
    m, g, pa = Membership, Program, Partner
    joined = (f"EXISTS (SELECT 1 FROM {_t(m)} m WHERE {_c(m, 'partner', 'm')} = x.partner_id "
              f"AND {_c(m, 'program', 'm')} = {p_('program')} AND ({_c(m, 'status', 'm')} = %(joined)s "
              f"OR ({_c(m, 'status', 'm')} = %(left)s AND {_c(m, 'left_at', 'm')} >= %(start)s)) "
              f"AND COALESCE({_c(m, 'decided_at', 'm')}, {_c(m, 'applied_at', 'm')}) < %(end)s)")
    chosen = (f"(SELECT {p_('id')} FROM {_t(P)} p LEFT JOIN {_t(g)} g ON {_c(g, 'id', 'g')} = {p_('program')} "
              f"WHERE {p_('is_active')} = %(true)s AND {p_('association_type')} = x.association_type "
              f"AND {p_('valid_from')} <= %(month)s "
              f"AND ({p_('valid_until')} IS NULL OR {p_('valid_until')} >= %(month)s) "
              f"AND ({p_('program')} IS NULL OR {joined}) "
              f"ORDER BY CASE WHEN {p_('program')} IS NULL THEN 1 ELSE 0 END, {_c(g, 'kind', 'g')}, "
              f"{_c(g, 'code', 'g')}, {p_('code')} LIMIT 1)")
    partners = (f"SELECT {_c(pa, 'id', 'pa')} AS partner_id, t.association_type FROM {_t(pa)} pa CROSS JOIN "
                f"(SELECT CAST(%(referral)s AS VARCHAR(1)) AS association_type "
                f"UNION ALL SELECT CAST(%(resale)s AS VARCHAR(1))) t "
                f"WHERE {_chunk(_c(pa, 'id', 'pa'))} AND EXISTS (SELECT 1 FROM {_t(F)} f0 "
                f"WHERE {f_('partner', 'f0')} = {_c(pa, 'id', 'pa')} AND {f_('bill_cycle', 'f0')} = %(cycle)s)")
    mapped = f"SELECT x.partner_id, x.association_type, {chosen} AS policy_id FROM ({partners}) x"
    if kind_param is None:
        return (f"WITH pp AS MATERIALIZED (SELECT q.partner_id, q.association_type, q.policy_id FROM ({mapped}) q "
                f"WHERE q.policy_id IS NOT NULL) ")
    return (f"WITH pp AS MATERIALIZED (SELECT q.partner_id, q.association_type, q.policy_id, "
            f"{s_('id')} AS statement_id FROM ({mapped}) q JOIN {_t(S)} s ON {s_('partner')} = q.partner_id "
            f"AND {s_('bill_cycle')} = %(cycle)s AND {s_('policy')} = q.policy_id "
            f"AND {s_('kind')} = %({kind_param})s AND {s_('status')} = %(pending)s) ")


# ---------------------------------------------------------------------------------------------
# 1. replaceable statements out
# ---------------------------------------------------------------------------------------------

def delete_statements() -> str:
    """The chunk's replaceable statements. Deleting takes their row locks, and PostgreSQL checks the status again
    on rows another transaction changed meanwhile: a statement `finalise_due` or the partner made final or
    confirmed a moment ago is not deleted (and is then kept, as any other)."""
    return (f"DELETE FROM {_t(S)} WHERE {s_('bill_cycle', '')} = %(cycle)s AND {_chunk(s_('partner', ''))} "
            f"AND {s_('status', '')} IN (%(pending)s, %(disputed)s)")


def delete_details() -> str:
    """The lines left without their statement by `delete_statements` (the foreign key is checked at COMMIT)."""
    return (f"DELETE FROM {_t(D)} WHERE {d_('bill_cycle', '')} = %(cycle)s AND {_chunk(d_('partner', ''))} "
            f"AND NOT EXISTS (SELECT 1 FROM {_t(S)} s WHERE {s_('id')} = {_t(D)}.{d_('statement', '')})")


# ---------------------------------------------------------------------------------------------
# 2. placeholders, 7. tiers
# ---------------------------------------------------------------------------------------------

_STATEMENT_GIVEN = ("statement_no", "partner", "bill_cycle", "policy", "kind", "name", "association_type",
                    "performance", "amount", "status", "generated_at", "dispute_deadline")


def _statement_insert() -> str:
    columns = ", ".join(s_(name, "") for name in _STATEMENT_GIVEN)
    extra_columns, _names, _values = _filled(S, _STATEMENT_GIVEN)
    return f"INSERT INTO {_t(S)} ({columns}{', ' + extra_columns if extra_columns else ''}) "


def _statement_extra_values() -> str:
    _columns, names, _values = _filled(S, _STATEMENT_GIVEN)
    return f", {names}" if names else ""


def _kept(partner: str, association_type: str, kind: str) -> str:
    """A statement of the same partner, cycle, association type and kind is left (confirmed or final)."""
    return (f"NOT EXISTS (SELECT 1 FROM {_t(S)} k WHERE {s_('partner', 'k')} = {partner} "
            f"AND {s_('bill_cycle', 'k')} = %(cycle)s AND {s_('association_type', 'k')} = {association_type} "
            f"AND {s_('kind', 'k')} = {kind})")


def placeholders(kind_param: str, label_param: str, *, first_order=False) -> str:
    condition = f" AND {p_('first_order_rate')} > 0" if first_order else ""
    return (_statement_insert() + _policy_map()
            + f"SELECT {_new_number()}, pp.partner_id, %(cycle)s, pp.policy_id, %({kind_param})s, "
              f"{p_('name')} || %({label_param})s, pp.association_type, 0, 0, %(pending)s, %(now)s, "
              f"%(deadline)s{_statement_extra_values()} "
              f"FROM pp JOIN {_t(P)} p ON {p_('id')} = pp.policy_id "
              f"WHERE {_kept('pp.partner_id', 'pp.association_type', '%(' + kind_param + ')s')}{condition}")


def tiers() -> str:
    t = PolicyTier
    extra = (f"(SELECT {_c(t, 'extra_rate', 't')} FROM {_t(t)} t WHERE {_c(t, 'policy', 't')} = {s_('policy')} "
             f"AND {_c(t, 'min_performance', 't')} <= {s_('performance')} "
             f"ORDER BY {_c(t, 'min_performance', 't')} DESC LIMIT 1)")
    base = (f"SELECT {s_('partner')} AS partner_id, {s_('policy')} AS policy_id, "
            f"{s_('association_type')} AS association_type, {s_('performance')} AS performance, {extra} AS extra "
            f"FROM {_t(S)} s WHERE {s_('bill_cycle')} = %(cycle)s AND {_chunk(s_('partner'))} "
            f"AND {s_('kind')} = %(base)s")
    return (_statement_insert()
            + f"SELECT {_new_number()}, b.partner_id, %(cycle)s, b.policy_id, %(tier)s, "
              f"{p_('name')} || %(tier_label)s, b.association_type, b.performance, "
              f"{_round_fen('b.performance', 'b.extra')}, %(pending)s, %(now)s, %(deadline)s"
              f"{_statement_extra_values()} "
              f"FROM ({base}) b JOIN {_t(P)} p ON {p_('id')} = b.policy_id "
              f"WHERE b.extra IS NOT NULL AND {_kept('b.partner_id', 'b.association_type', '%(tier)s')}")


# ---------------------------------------------------------------------------------------------
# 3., 4. detail lines
# ---------------------------------------------------------------------------------------------

_DETAIL_COLUMNS = ("statement", "bill_cycle", "partner", "policy", "kind", "association", "association_type",
                   "customer", "service_type", "charging_mode", "incentive_policy", "fee_records", "consumption",
                   "performance", "rate", "rebate")
_KEYS = ("partner", "association", "customer", "service_type", "charging_mode")


def _money_sum(expression: str) -> str:
    return f"ROUND(SUM({expression}), 2)"


def grouped_fees(extra_where: str = "", extra_join: str = "", chunked: bool = True) -> str:
    """The cycle's fee records grouped per partner, association, customer, service type and charging mode:
    records, consumption, performance (cash + arrears + arrears paid). bench/incentives.py measures this alone."""
    keys = ", ".join(f"{f_(name)}" for name in _KEYS)
    named = ", ".join(f"{f_(name)} AS {name}_id" if name != "charging_mode" else f"{f_(name)} AS charging_mode"
                      for name in _KEYS)
    performance = f"{f_('cash_amount')} + {f_('debt_amount')} + {f_('writeoff_amount')}"
    where = f"{f_('bill_cycle')} = %(cycle)s AND " + (_chunk(f_('partner')) if chunked
                                                       else f"{f_('partner')} IS NOT NULL")
    return (f"SELECT {named}, COUNT(*) AS records, {_money_sum(f_('consume_amount'))} AS consumption, "
            f"{_money_sum(performance)} AS performance FROM {_t(F)} f{extra_join} "
            f"WHERE {where}{extra_where} GROUP BY {keys}")


def _details(kind_param: str, grouped: str, rate: str, codes: str, policy_condition: str = "") -> str:
    r = PolicyServiceRule
    code = f"COALESCE({_c(r, 'incentive_policy', 'r')}, 0)"
    lines = (f"SELECT pp.statement_id, g.partner_id, pp.policy_id, g.association_id, "
             f"{_c(A, 'association_type', 'a')} AS association_type, g.customer_id, g.service_type_id, "
             f"g.charging_mode, {code} AS code, g.records, g.consumption, g.performance, {rate} AS rate "
             f"FROM ({grouped}) g "
             f"JOIN {_t(A)} a ON {_c(A, 'id', 'a')} = g.association_id "
             f"JOIN pp ON pp.partner_id = g.partner_id AND pp.association_type = {_c(A, 'association_type', 'a')} "
             f"JOIN {_t(P)} p ON {p_('id')} = pp.policy_id{policy_condition} "
             f"LEFT JOIN {_t(r)} r ON {_c(r, 'policy', 'r')} = pp.policy_id "
             f"AND {_c(r, 'service_type', 'r')} = g.service_type_id "
             f"WHERE {code} IN ({codes})")
    columns = ", ".join(d_(name, "") for name in _DETAIL_COLUMNS)
    return (f"INSERT INTO {_t(D)} ({columns}) {_policy_map(kind_param)}"
            f"SELECT l.statement_id, %(cycle)s, l.partner_id, l.policy_id, "
            f"%({kind_param})s, l.association_id, l.association_type, l.customer_id, l.service_type_id, "
            f"l.charging_mode, l.code, l.records, l.consumption, l.performance, l.rate, "
            f"{_round_fen('l.performance', 'l.rate')} FROM ({lines}) l")


def _codes(codes) -> str:
    return ", ".join(str(int(code)) for code in codes)


def base_details() -> str:
    r = PolicyServiceRule
    code = f"COALESCE({_c(r, 'incentive_policy', 'r')}, 0)"
    period = "g.charging_mode = %(period)s"
    rate = (f"CASE WHEN {code} = %(non_specific)s THEN CASE WHEN {period} THEN {p_('period_rate')} "
            f"ELSE {p_('on_demand_rate')} END "
            f"WHEN {code} = %(specific)s THEN CASE WHEN {period} THEN {_c(r, 'period_rate', 'r')} "
            f"ELSE {_c(r, 'on_demand_rate', 'r')} END ELSE 0 END")
    return _details("base", grouped_fees(), rate, _codes(EARNING_CODES))


def first_order_details() -> str:
    joined = f" JOIN {_t(A)} a0 ON {_c(A, 'id', 'a0')} = {f_('association')}"
    # A new customer: its association began in the month and it had none with this partner before — a type
    # switch (customers.associations ends the association and opens one of the other type) or a return to the
    # same partner is not a new customer.
    where = (f" AND {f_('bill_type')} = %(new)s AND {f_('charging_mode')} = %(period)s "
             f"AND {_c(A, 'associated_on', 'a0')} >= %(start)s AND {_c(A, 'associated_on', 'a0')} < %(end)s "
             f"AND NOT EXISTS (SELECT 1 FROM {_t(A)} a1 WHERE {_c(A, 'customer_id', 'a1')} = "
             f"{_c(A, 'customer_id', 'a0')} AND {_c(A, 'partner_id', 'a1')} = {_c(A, 'partner_id', 'a0')} "
             f"AND {_c(A, 'associated_on', 'a1')} < {_c(A, 'associated_on', 'a0')})")
    return _details("first_order", grouped_fees(where, joined), p_("first_order_rate"), _codes(REBATE_CODES),
                    f" AND {p_('first_order_rate')} > 0")


# ---------------------------------------------------------------------------------------------
# 5., 6. totals and empty statements
# ---------------------------------------------------------------------------------------------

def _fresh(alias="") -> str:
    """The chunk's fresh statements with lines (PENDING base and first-order ones: the replaceable ones were
    deleted in step 1, so every PENDING one was written by this chunk)."""
    col = (lambda name: s_(name, alias)) if alias else (lambda name: f"{_t(S)}.{s_(name, '')}")
    return (f"{col('bill_cycle')} = %(cycle)s AND {_chunk(col('partner'))} AND {col('status')} = %(pending)s "
            f"AND {col('kind')} IN (%(base)s, %(first_order)s)")


def totals() -> str:
    """One grouped pass over the chunk's lines of the month (`UPDATE … FROM`, SQLite ≥ 3.33 and PostgreSQL), the
    sums materialized first: joined inline with the statements just written (no statistics yet), PostgreSQL
    grouped the lines again for every statement (19.5 s at 500,000 lines; 0.9 s now at 576,000)."""
    sums = (f"SELECT {d_('statement')} AS statement_id, {_money_sum(d_('performance'))} AS performance, "
            f"{_money_sum(d_('rebate'))} AS rebate FROM {_t(D)} d WHERE {d_('bill_cycle')} = %(cycle)s "
            f"AND {_chunk(d_('partner'))} GROUP BY {d_('statement')}")
    return (f"WITH t AS MATERIALIZED ({sums}) UPDATE {_t(S)} SET {s_('performance', '')} = t.performance, "
            f"{s_('amount', '')} = CASE WHEN t.rebate > 0 THEN t.rebate ELSE 0 END "
            f"FROM t WHERE {_t(S)}.{s_('id', '')} = t.statement_id AND {_fresh()}")


def _empty() -> str:
    return (f"SELECT {s_('id')} FROM {_t(S)} s WHERE {_fresh('s')} AND {s_('performance')} = 0 "
            f"AND {s_('amount')} = 0")


def delete_empty_details() -> str:
    return f"DELETE FROM {_t(D)} WHERE {d_('statement', '')} IN ({_empty()})"


def delete_empty() -> str:
    return f"DELETE FROM {_t(S)} WHERE {s_('id', '')} IN ({_empty()})"


# ---------------------------------------------------------------------------------------------
# chunks
# ---------------------------------------------------------------------------------------------

def next_upper() -> str:
    """The id of the `%(size)s`-th partner after the cursor with fee records or statements in the cycle."""
    pa = Partner
    pid = _c(pa, "id", "pa")
    return (f"SELECT MAX(c.id) FROM (SELECT {pid} AS id FROM {_t(pa)} pa WHERE {pid} > %(lo)s "
            f"AND (EXISTS (SELECT 1 FROM {_t(F)} f WHERE {f_('partner')} = {pid} AND {f_('bill_cycle')} = %(cycle)s) "
            f"OR EXISTS (SELECT 1 FROM {_t(S)} s WHERE {s_('partner')} = {pid} AND {s_('bill_cycle')} = %(cycle)s)) "
            f"ORDER BY {pid} LIMIT %(size)s) c")


def count_chunk() -> str:
    """(partners with statements, statements) of the chunk, kept ones included."""
    return (f"SELECT COUNT(DISTINCT {s_('partner')}), COUNT(*) FROM {_t(S)} s WHERE {s_('bill_cycle')} = %(cycle)s "
            f"AND {_chunk(s_('partner'))}")


def count_kept_lines() -> str:
    """The lines of the chunk's kept (confirmed, final) statements: with the lines this chunk wrote, its lines."""
    return (f"SELECT COUNT(*) FROM {_t(D)} d JOIN {_t(S)} s ON {s_('id')} = {d_('statement')} "
            f"WHERE {s_('bill_cycle')} = %(cycle)s AND {_chunk(s_('partner'))} "
            f"AND {s_('status')} NOT IN (%(pending)s, %(disputed)s)")
