"""email/contacts and email/events: the newsletter audience and campaign activity."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from generator import corruption as C
from generator import textops as tx
from generator import vocab as V
from generator.sources.common import (
    Context,
    EntityOutput,
    SourceOutput,
    TruthPart,
    concat_outputs,
    make_table,
    versions,
)
from generator.timeline import DAY, Timeline, to_days

CONTACTS = "email/contacts"
EVENTS = "email/events"
NEVER = np.iinfo(np.int64).max


def build(ctx: Context) -> SourceOutput:
    rng = ctx.rng("email")
    p, tl, rates = ctx.people, ctx.timeline, ctx.rates

    # audience: primary addresses, plus some second addresses subscribed separately
    prim = np.flatnonzero(p.in_email)
    sec = prim[p.has_email2[prim] & (rng.random(len(prim)) < 0.35)]
    person = np.concatenate([prim, sec])
    is2 = np.concatenate([np.zeros(len(prim), bool), np.ones(len(sec), bool)])
    c = len(person)
    pp = pa.array(person)
    local = tx.where(is2, p.email2_local.take(pp), p.email_local.take(pp))
    domain = tx.where(is2, p.email2_domain.take(pp), p.email_domain.take(pp))
    free = np.where(is2, p.free_mail2[person], p.free_mail[person])
    true_email = tx.join(local, "@", domain)
    email, typo = C.render_emails_with_typos(local, domain, free, rng, rates, ctx.tally)
    # the address as typed on a later form (profile update, re-subscription): another
    # spelling of the same address, never a new typo
    scratch = C.Tally()
    email_alt = C.render_emails(local, domain, free, rng, {**rates, "email_typo": 0.0},
                                scratch)
    for kind, (applied, eligible) in scratch.counts.items():
        if kind != "email_typo":  # the alternative spelling is not eligible for typos
            ctx.tally.add(kind, applied, eligible)

    opt_in = tl.delayed(rng, p.since[person], 40)
    opt_in = np.where(is2, opt_in + (rng.random(c) * (tl.end - opt_in)).astype(np.int64),
                      opt_in)
    # status changes: unsubscribes, hard bounces (typo addresses bounce within days)
    u = opt_in + (rng.exponential(250, c) * DAY).astype(np.int64)
    unsub = rng.random(c) < 0.15
    bounce = (rng.random(c) < 0.03) | (typo & (rng.random(c) < 0.8))
    u = np.where(typo & bounce, opt_in + rng.integers(DAY, 10 * DAY, c), u)
    final_status = np.where(bounce, 2, np.where(unsub, 1, 0))
    changed_at = np.where(final_status > 0, u, NEVER)

    first, last = C.render_split_names(p, person, opt_in, rng, rates, ctx.tally)
    show_name = rng.random(c) < 0.6
    first, last = tx.null_where(first, ~show_name), tx.null_where(last, ~show_name)
    phone = C.render_phones(np.where(rng.random(c) < 0.2, p.phone_at(person, opt_in), 0), rng,
                            rates, ctx.tally)
    bday = tx.dates(p.birth_days[person])
    birthday = tx.null_where(tx.join(tx.slice_(bday, 5, 7), tx.slice_(bday, 8, 10), sep="/"),
                             rng.random(c) >= 0.15)
    city = tx.null_where(C.render_cities(p.city[person], rng, rates, ctx.tally),
                         rng.random(c) >= 0.25)
    opt_in_s = tx.null_where(C.render_times(opt_in, rng, rates, ctx.tally),
                             rng.random(c) >= 0.9)
    tags = _tags(ctx, person, rng)

    emit_initial, emit_final = versions(opt_in, changed_at, tl)
    rows = [np.flatnonzero(emit_initial), np.flatnonzero(emit_final)]
    times = [opt_in[rows[0]], changed_at[rows[1]]]
    status = [np.zeros(len(rows[0]), np.int64), final_status[rows[1]]]
    alt = [np.zeros(len(rows[0]), bool), rng.random(len(rows[1])) < 0.3]
    # a bounced typo address is fixed by re-subscribing with the right spelling
    refix = np.flatnonzero(typo & (final_status == 2) & (rng.random(c) < 0.5))
    refix_t = changed_at[refix] + (rng.exponential(5, len(refix)) * DAY).astype(np.int64)
    refix, refix_t = refix[refix_t < tl.end], refix_t[refix_t < tl.end]
    rows.append(refix)
    times.append(refix_t)
    status.append(np.zeros(len(refix), np.int64))
    alt.append(np.ones(len(refix), bool))
    for d in range(1, tl.days):
        day_start = tl.start + d * DAY
        existing = np.flatnonzero(opt_in < day_start)
        pick = existing[rng.random(len(existing)) < ctx.vol["daily_update_share"]]
        rows.append(pick)
        times.append(day_start + rng.integers(0, DAY, len(pick)))
        status.append(np.where(changed_at[pick] < day_start, final_status[pick], 0))
        alt.append(rng.random(len(pick)) < 0.3)
    row = np.concatenate(rows)
    t = np.concatenate(times)
    take = pa.array(row)
    table = make_table(CONTACTS, {
        "email": tx.where(np.concatenate(alt), email_alt.take(take), email.take(take)),
        "first_name": first.take(take), "last_name": last.take(take),
        "phone": phone.take(take), "birthday": birthday.take(take), "city": city.take(take),
        "status": tx.take(["subscribed", "unsubscribed", "cleaned"], np.concatenate(status)),
        "opt_in_at": opt_in_s.take(take), "tags": tags.take(take),
    })
    contacts = concat_outputs(CONTACTS, [(table, t, tl.drop_of(t))])
    events = _events(ctx, rng, email, opt_in, changed_at, final_status, typo)
    truth = TruthPart("email", true_email, person)
    return SourceOutput([contacts, events], [truth])


def _tags(ctx: Context, person: np.ndarray, rng: np.random.Generator) -> pa.Array:
    p = ctx.people
    c = len(person)
    parts = [
        tx.null_where(tx.const("newsletter", c),
                      rng.random(c) < 0.1),
        tx.null_where(tx.const("web-signup", c),
                      ~p.has_account[person]),
        tx.null_where(tx.const("store", c),
                      ~p.in_pos[person] | (rng.random(c) < 0.5)),
        tx.null_where(tx.const("vip", c),
                      p.sales_kind[person] != 2),
        tx.null_where(tx.take(["running", "lifestyle", "kids", "basketball"],
                              rng.integers(0, 4, c)), rng.random(c) < 0.6),
    ]
    tags = tx.join(*parts, sep=",", skip_nulls=True)
    return tx.null_where(tags, (rng.random(c) < 0.2) | ~np.asarray(
        pa.compute.greater(pa.compute.utf8_length(tags), 0)))


def campaigns(tl: Timeline, rng: np.random.Generator, per_week: float,
              ) -> tuple[np.ndarray, list[str], list[str]]:
    """(send time, campaign_id, campaign_name) sorted by time."""
    first = tl.start_date - dt.timedelta(days=tl.history_days)
    items: list[tuple[int, str]] = []
    for year in range(first.year, tl.start_date.year + 2):
        for month, day, _key, name, _promo in V.CAMPAIGN_CALENDAR:
            d = dt.date(year, month, day) - dt.timedelta(days=1)
            items.append((to_days(d) * DAY + 10 * 3600, name.format(y=year)))
    n_days = tl.history_days + tl.days
    gap = 7.0 / max(per_week, 0.01)
    k = np.arange(int(n_days / gap) + 1)
    for i, offset in enumerate(k * gap):
        d = first + dt.timedelta(days=int(offset))
        template = V.NEWSLETTER_NAMES[i % len(V.NEWSLETTER_NAMES)]
        items.append((to_days(d) * DAY + 9 * 3600 + 1800,
                      template.format(m=d.month, y=d.year)))
    items = sorted(x for x in items if tl.t0 <= x[0] < tl.end)
    times = np.array([x[0] for x in items], dtype=np.int64)
    ids = [f"{v:010x}" for v in rng.integers(0, 2**40, len(items))]
    return times, ids, [x[1] for x in items]


def _events(ctx: Context, rng: np.random.Generator, email: pa.Array, opt_in: np.ndarray,
            changed_at: np.ndarray, final_status: np.ndarray, typo: np.ndarray,
            ) -> EntityOutput:
    tl = ctx.timeline
    c_time, c_id, c_name = campaigns(tl, rng, ctx.vol["email_campaigns_per_week"])
    nc = len(c_time)
    c = len(opt_in)
    if nc == 0:
        empty = make_table(EVENTS, {"email": pa.nulls(0, pa.string())})
        return EntityOutput(EVENTS, empty, np.zeros(0, np.int16), np.zeros(0, np.int64))
    # sends: random moments while subscribed, mapped onto the next campaign
    start = np.maximum(opt_in, tl.t0)
    stop = np.minimum(np.where(final_status == 2, changed_at + 1, changed_at), tl.end)
    years = np.maximum(stop - start, 0) / (365 * DAY)
    n = rng.poisson(ctx.vol["email_sends_per_contact_year"] * years)
    owner = np.repeat(np.arange(c), n)
    moment = start[owner] + (rng.random(len(owner)) * (stop - start)[owner]).astype(np.int64)
    camp = np.searchsorted(c_time, moment)
    ok = (camp < nc)
    owner, camp = owner[ok], camp[ok]
    ok = c_time[camp] < stop[owner]
    owner, camp = owner[ok], camp[ok]
    key = np.unique(owner.astype(np.int64) * nc + camp)
    owner, camp = key // nc, key % nc
    ns = len(owner)
    sent_t = c_time[camp] + rng.integers(0, 3600, ns)
    bounced = (final_status[owner] == 2) & ((sent_t >= changed_at[owner]) | typo[owner])
    deliver_t = sent_t + rng.integers(1, 120, ns)
    p_open = rng.beta(2, 4, c)
    opened = ~bounced & (rng.random(ns) < p_open[owner])
    open_t = deliver_t + (rng.exponential(5 * 3600, ns)).astype(np.int64)
    clicked = opened & (rng.random(ns) < 0.2)
    click_t = open_t + (rng.exponential(120, ns)).astype(np.int64) + 5
    complaint = opened & (rng.random(ns) < 0.0005)
    # unsubscribe events: at the status change, on the last campaign before it
    unsub = np.flatnonzero((final_status == 1) & (changed_at < tl.end))
    u_camp = np.searchsorted(c_time, changed_at[unsub], side="right") - 1
    keep = u_camp >= 0
    unsub, u_camp = unsub[keep], u_camp[keep]

    kinds = ["sent", "delivered", "bounce", "open", "click", "complaint", "unsubscribe"]
    masks = [np.ones(ns, bool), ~bounced, bounced, opened, clicked, complaint]
    times = [sent_t, deliver_t, deliver_t, open_t, click_t, open_t + 60]
    ev_owner = [owner[m] for m in masks] + [unsub]
    ev_camp = [camp[m] for m in masks] + [u_camp]
    ev_t = [t[m] for t, m in zip(times, masks, strict=True)] + [changed_at[unsub]]
    ev_kind = [np.full(len(o), k) for k, o in enumerate(ev_owner)]
    t = np.concatenate(ev_t)
    keep = t < tl.end  # opens and clicks after the last drop day are not exported yet
    o = np.concatenate(ev_owner)[keep]
    cp = np.concatenate(ev_camp)[keep]
    t = t[keep]
    kind = np.concatenate(ev_kind)[keep]
    ne = len(o)
    url = tx.join(f"https://www.{ctx.config.brand_domain}/", tx.take(
        ["sale", "bo-suu-tap-moi", "giay-chay-bo", "products/run-af3-blk", "tin-tuc"],
        rng.integers(0, 5, ne)), "?utm_source=newsletter&utm_medium=email&utm_campaign=",
        tx.take(c_id, cp))
    table = make_table(EVENTS, {
        "email": email.take(pa.array(o)),
        "campaign_id": tx.take(c_id, cp),
        "campaign_name": tx.null_where(tx.take(c_name, cp), rng.random(ne) < 0.05),
        "event": tx.take(kinds, kind),
        "occurred_at": C.render_times(t, rng, ctx.rates, ctx.tally),
        "url": tx.null_where(url, kind != 4),
    })
    return concat_outputs(EVENTS, [(table, t, tl.drop_of(t))])
