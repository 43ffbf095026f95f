"""sales/contacts, sales/opportunities and sales/cases: the CRM of the B2B/VIP sales team
and customer service."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from generator import corruption as C
from generator import textops as tx
from generator import vocab as V
from generator.people import SALES_B2B, SALES_SERVICE, SALES_VIP
from generator.sources.common import (
    Context,
    SourceOutput,
    TruthPart,
    concat_outputs,
    expand,
    make_table,
    versions,
)
from generator.timeline import DAY, STORE_HOURS

CONTACTS = "sales/contacts"
OPPORTUNITIES = "sales/opportunities"
CASES = "sales/cases"
NEVER = np.iinfo(np.int64).max
OPEN_STAGES = ["prospecting", "qualification", "proposal", "negotiation"]
CASE_CATEGORIES = ["Đổi size", "Bảo hành", "Giao hàng", "Hoàn tiền", "Khiếu nại chất lượng",
                   "Tư vấn sản phẩm", "Thành viên / điểm thưởng", "Đơn hàng doanh nghiệp"]
CHANNELS = ["phone", "email", "chat", "zalo", "facebook", "store"]


def build(ctx: Context) -> SourceOutput:
    rng = ctx.rng("sales")
    p, tl, rates = ctx.people, ctx.timeline, ctx.rates
    who = np.flatnonzero(p.sales_kind > 0)
    dup = rng.random(len(who)) < rates["duplicate_crm_contact"]
    ctx.tally.add("duplicate_crm_contact", dup.sum(), len(who))
    person = np.concatenate([who, who[dup]])
    is_dup = np.concatenate([np.zeros(len(who), bool), np.ones(int(dup.sum()), bool)])
    kind = p.sales_kind[person]
    n = len(person)
    pp = pa.array(person)
    created = tl.delayed(rng, p.since[person], 90)
    created = np.where(is_dup, created + (rng.random(n) * (tl.end - created)).astype(
        np.int64), created)
    contact_no = rng.choice(900_000_000, size=n, replace=False) + 100_000_000
    contact_id = tx.int_str(contact_no)

    first, last = C.render_split_names(p, person, created, rng, rates, ctx.tally)
    b2b = kind == SALES_B2B
    use2 = p.has_email2[person] & (rng.random(n) < (0.5 * is_dup + 0.2))
    local = tx.where(use2, p.email2_local.take(pp), p.email_local.take(pp))
    domain = tx.where(use2, p.email2_domain.take(pp), p.email_domain.take(pp))
    free = np.where(use2, p.free_mail2[person], p.free_mail[person])
    email = C.render_emails(tx.null_where(local, rng.random(n) >= 0.85), domain, free, rng,
                            rates, ctx.tally)
    phone = C.render_phones(np.where(rng.random(n) < 0.8, p.phone_at(person, created), 0),
                            rng, rates, ctx.tally)
    company = tx.null_where(tx.take([c for c, _ in V.COMPANIES], np.maximum(p.company[person],
                                                                            0)), ~b2b)
    job = tx.null_where(tx.take(list(V.JOB_TITLES), rng.integers(0, len(V.JOB_TITLES), n)),
                        ~b2b | (rng.random(n) < 0.2))
    birth = tx.null_where(tx.dates(p.birth_days[person]), rng.random(n) >= 0.25)
    gender = tx.null_where(tx.take(["Nữ", "Nam"], p.gender[person]), rng.random(n) >= 0.5)
    married = (p.household_role[person] >= 0) & (p.household_role[person] <= 1)
    age = p.age_at(person, created)
    mstatus = np.where(married | (age > 35) & (rng.random(n) < 0.7), 1, 0)
    marital = tx.null_where(tx.take(["single", "married"], mstatus), rng.random(n) >= 0.2)
    city = tx.null_where(C.render_cities(p.city[person], rng, rates, ctx.tally),
                         rng.random(n) >= 0.7)
    stage = np.where(kind == SALES_B2B, rng.choice(5, size=n, p=[.3, .2, .15, .15, .2]), 4)
    lifecycle = tx.take(["lead", "mql", "sql", "opportunity", "customer"], stage)
    src_b2b = tx.take(["website", "referral", "event", "cold_call", "linkedin"],
                      rng.integers(0, 5, n))
    src_other = tx.where(kind == SALES_SERVICE,
                         tx.take(["support", "hotline"], rng.integers(0, 2, n)),
                         tx.take(["store", "referral"], rng.integers(0, 2, n)))
    lead_source = tx.null_where(tx.where(b2b, src_b2b, src_other), rng.random(n) < 0.15)
    created_s = C.render_times(created, rng, rates, ctx.tally)

    rows, times = [np.arange(n)], [created]
    for d in range(1, tl.days):
        day_start = tl.start + d * DAY
        existing = np.flatnonzero(created < day_start)
        pick = existing[rng.random(len(existing)) < 5 * ctx.vol["daily_update_share"]]
        rows.append(pick)
        times.append(day_start + rng.integers(0, DAY, len(pick)))
    row = np.concatenate(rows)
    t = np.concatenate(times)
    take = pa.array(row)
    table = make_table(CONTACTS, {
        "contact_id": contact_id.take(take), "first_name": first.take(take),
        "last_name": last.take(take), "email": email.take(take), "phone": phone.take(take),
        "company": company.take(take), "job_title": job.take(take),
        "birth_date": birth.take(take), "gender": gender.take(take),
        "marital_status": marital.take(take), "city": city.take(take),
        "lifecycle_stage": lifecycle.take(take), "lead_source": lead_source.take(take),
        "created_at": created_s.take(take),
    })
    contacts = concat_outputs(CONTACTS, [(table, t, tl.drop_of(t))])
    opps = _opportunities(ctx, rng, kind, created, contact_id)
    cases = _cases(ctx, rng, kind, created, contact_id)
    truth = TruthPart("sales", contact_id, person)
    return SourceOutput([contacts, opps, cases], [truth])


def _opportunities(ctx: Context, rng: np.random.Generator, kind: np.ndarray,
                   created: np.ndarray, contact_id: pa.Array):
    tl = ctx.timeline
    mean = ctx.vol["sales_opportunities_per_b2b"]
    count = np.where(kind == SALES_B2B, rng.poisson(mean, len(kind)),
                     np.where(kind == SALES_VIP, rng.poisson(0.8, len(kind)), 0))
    owner, _ = expand(count)
    m = len(owner)
    lo = np.maximum(created[owner], tl.t0)
    opened = tl.sample_times(rng, lo, np.full(m, tl.end), STORE_HOURS)
    b2b = kind[owner] == SALES_B2B
    amount = np.where(b2b, rng.lognormal(np.log(80e6), 1.0, m), rng.lognormal(np.log(15e6), 0.6,
                                                                                m))
    amount = (np.round(amount / 1e5) * 1e5).astype(np.int64)
    won = rng.random(m) < 0.5
    duration = (rng.exponential(35, m) * DAY).astype(np.int64) + DAY
    closed_at = opened + duration
    closes = closed_at < tl.end + 120 * DAY  # some are still open at the end of the run
    closed_at = np.where(closes, closed_at, NEVER)
    open_stage = rng.integers(0, len(OPEN_STAGES), m)
    emit_initial, emit_final = versions(opened, closed_at, tl)
    r0, r1 = np.flatnonzero(emit_initial), np.flatnonzero(emit_final)
    row = np.concatenate([r0, r1])
    final = np.concatenate([np.zeros(len(r0), bool), np.ones(len(r1), bool)])
    t = np.concatenate([opened[r0], closed_at[r1]])
    stage = tx.where(final, tx.take(["closed_lost", "closed_won"], won[row].astype(np.int64)),
                     tx.take(OPEN_STAGES, open_stage[row]))
    closed_s = C.render_times(np.minimum(closed_at[row], tl.end - 1), rng, ctx.rates, ctx.tally)
    opp_id = tx.join("OPP-", tx.int_str(np.argsort(np.argsort(opened, kind="stable")) + 1, 6))
    take = pa.array(row)
    table = make_table(OPPORTUNITIES, {
        "opportunity_id": opp_id.take(take),
        "contact_id": contact_id.take(pa.array(owner[row])),
        "stage": stage,
        "amount": pa.array(amount[row], pa.int64()),
        "currency": tx.null_where(tx.const("VND", len(row)),
                                  rng.random(len(row)) < 0.1),
        "created_at": C.render_times(opened[row], rng, ctx.rates, ctx.tally),
        "closed_at": tx.null_where(closed_s, ~final),
        "is_won": pa.array(won[row], pa.bool_(), mask=~final),
    })
    return concat_outputs(OPPORTUNITIES, [(table, t, tl.drop_of(t))])


def _cases(ctx: Context, rng: np.random.Generator, kind: np.ndarray, created: np.ndarray,
           contact_id: pa.Array):
    tl = ctx.timeline
    mean = ctx.vol["sales_cases_per_contact"]
    count = np.where(kind == SALES_SERVICE, 1 + rng.poisson(max(mean - 1, 0), len(kind)),
                     rng.poisson(0.3, len(kind)))
    owner, _ = expand(count)
    m = len(owner)
    lo = np.maximum(created[owner] - 2 * DAY, tl.t0)
    opened = tl.sample_times(rng, lo, np.full(m, tl.end), STORE_HOURS)
    resolve = (rng.exponential(2.0, m) * DAY).astype(np.int64) + 600
    closed_at = np.where(rng.random(m) < 0.97, opened + resolve, NEVER)
    touches = 1 + rng.poisson(0.8, m)
    # satisfaction falls with the number of contacts needed to resolve
    quality = rng.normal(0, 1, m) - 0.5 * (touches - 1)
    csat = np.clip(np.round(3.8 + 1.0 * quality), 1, 5).astype(np.int64)
    nps = np.clip(np.round(7.5 + 2.2 * quality), 0, 10).astype(np.int64)
    ces = np.clip(np.round(3.0 - 1.3 * quality + 0.4 * (touches - 1)), 1, 7).astype(np.int64)
    emit_initial, emit_final = versions(opened, closed_at, tl)
    r0, r1 = np.flatnonzero(emit_initial), np.flatnonzero(emit_final)
    row = np.concatenate([r0, r1])
    final = np.concatenate([np.zeros(len(r0), bool), np.ones(len(r1), bool)])
    t = np.concatenate([opened[r0], closed_at[r1]])
    k = len(row)
    case_id = tx.join("CS-", tx.int_str(np.argsort(np.argsort(opened, kind="stable")) + 1, 7))
    take = pa.array(row)
    channel_p = [0.3, 0.15, 0.2, 0.15, 0.1, 0.1]
    table = make_table(CASES, {
        "case_id": case_id.take(take),
        "contact_id": contact_id.take(pa.array(owner[row])),
        "channel": tx.take(CHANNELS, rng.choice(len(CHANNELS), size=m, p=channel_p)[row]),
        "category": tx.null_where(tx.take(CASE_CATEGORIES, rng.integers(
            0, len(CASE_CATEGORIES), m)[row]), rng.random(k) < 0.1),
        "opened_at": C.render_times(opened[row], rng, ctx.rates, ctx.tally),
        "closed_at": tx.null_where(C.render_times(np.minimum(closed_at[row], tl.end - 1), rng,
                                                  ctx.rates, ctx.tally), ~final),
        "contacts_to_resolve": pa.array(touches[row], pa.int64(), mask=~final),
        "csat": pa.array(csat[row], pa.int64(), mask=~final | (rng.random(k) >= 0.6)),
        "nps": pa.array(nps[row], pa.int64(), mask=~final | (rng.random(k) >= 0.4)),
        "ces": pa.array(ces[row], pa.int64(), mask=~final | (rng.random(k) >= 0.35)),
    })
    return concat_outputs(CASES, [(table, t, tl.drop_of(t))])
