"""web/accounts and web/events: the web shop's customer accounts and GA4-style events."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from generator import corruption as C
from generator import textops as tx
from generator import vocab as V
from generator.people import unique_numbers
from generator.sources.catalog import sample_items
from generator.sources.common import (
    Context,
    EntityOutput,
    SourceOutput,
    TruthPart,
    concat_outputs,
    expand,
    make_table,
    versions,
)
from generator.timeline import DAY, ONLINE_HOURS

ACCOUNTS = "web/accounts"
EVENTS = "web/events"
# event types in the order they occur within a session
PV, SIGNUP, LOGIN, VIEW, CART, CHECKOUT, PURCHASE = range(7)
EVENT_NAMES = ["page_view", "sign_up", "login", "view_item", "add_to_cart", "begin_checkout",
               "purchase"]
LANDING_PATHS = ["/", "/", "/giay-chay-bo", "/giay-thoi-trang", "/sale", "/bo-suu-tap-moi",
                 "/tre-em", "/phu-kien"]
BROWSE_PATHS = ["/giay-chay-bo", "/giay-thoi-trang", "/sale", "/search?q=giay+chay+bo",
                "/cua-hang", "/size-guide", "/tre-em"]


def build(ctx: Context) -> SourceOutput:
    accounts, acct_person, acct_created, acct_uid, truth_accounts = _accounts(ctx)
    events, truth_cookies = _events(ctx, acct_person, acct_created, acct_uid)
    return SourceOutput([accounts, events], [truth_accounts, truth_cookies])


# ------------------------------------------------------------------------------ accounts
def _accounts(ctx: Context):
    rng = ctx.rng("web.accounts")
    p, tl, rates = ctx.people, ctx.timeline, ctx.rates
    holders = np.flatnonzero(p.has_account)
    created1 = ctx.ids.user_created[holders]
    uid1 = ctx.ids.user_id.take(pa.array(holders))
    has2 = np.asarray(ctx.ids.user_id2.take(pa.array(holders)).is_valid())
    h2 = holders[has2]
    c1 = created1[has2]
    created2 = c1 + (rng.random(len(h2)) * (tl.end - c1)).astype(np.int64)
    uid2 = ctx.ids.user_id2.take(pa.array(h2))
    person = np.concatenate([holders, h2])
    created = np.concatenate([created1, created2])
    uid = pa.concat_arrays([tx.flat(uid1), tx.flat(uid2)])
    second = np.concatenate([np.zeros(len(holders), bool), np.ones(len(h2), bool)])
    a = len(person)
    pa_person = pa.array(person)

    local = tx.where(second, p.email2_local.take(pa_person), p.email_local.take(pa_person))
    domain = tx.where(second, p.email2_domain.take(pa_person), p.email_domain.take(pa_person))
    free = np.where(second, p.free_mail2[person], p.free_mail[person])
    email = C.render_emails(local, domain, free, rng, rates, ctx.tally)
    show_name = rng.random(a) < 0.85
    name = C.render_full_names(p, person, created, rng, rates, ctx.tally)
    name = tx.null_where(name, ~show_name)
    show_phone = rng.random(a) < 0.55
    birth = tx.null_where(tx.dates(p.birth_days[person]), rng.random(a) >= 0.35)
    gender = tx.null_where(tx.take(["female", "male"], p.gender[person]), rng.random(a) >= 0.4)
    show_city = rng.random(a) < 0.45
    city = tx.null_where(C.render_cities(p.city[person], rng, rates, ctx.tally), ~show_city)
    created_s = C.render_times(created, rng, rates, ctx.tally)

    # versions: a phone change after sign-up re-sends the account with the new number
    changed = (p.old_phone[person] > 0) & show_phone & (p.phone_changed_at[person] > created)
    upd = np.where(changed, p.phone_changed_at[person], np.iinfo(np.int64).max)
    emit_initial, emit_final = versions(created, upd, tl)
    rows = [np.flatnonzero(emit_initial), np.flatnonzero(emit_final)]
    times = [created[rows[0]], upd[rows[1]]]
    phones = [np.where(show_phone[rows[0]], p.phone_at(person[rows[0]], created[rows[0]]), 0),
              np.where(show_phone[rows[1]], p.phone[person[rows[1]]], 0)]
    # daily updates: profile edits re-send existing accounts
    for d in range(1, tl.days):
        day_start = tl.start + d * DAY
        existing = np.flatnonzero(created < day_start)
        pick = existing[rng.random(len(existing)) < ctx.vol["daily_update_share"]]
        rows.append(pick)
        times.append(day_start + rng.integers(0, DAY, len(pick)))
        phones.append(np.where(show_phone[pick], p.phone_at(person[pick], day_start), 0))
    row = np.concatenate(rows)
    t = np.concatenate(times)
    phone = C.render_phones(np.concatenate(phones), rng, rates, ctx.tally)
    n_daily = sum(len(r) for r in rows[2:])
    city_rows = tx.flat(city.take(pa.array(row)))
    if n_daily:
        fresh = C.render_cities(p.city[person[row]], rng, rates, ctx.tally)
        is_daily = np.zeros(len(row), bool)
        is_daily[len(row) - n_daily:] = True
        city_rows = tx.where(is_daily & show_city[row], fresh, city_rows)
    take = pa.array(row)
    table = make_table(ACCOUNTS, {
        "user_id": uid.take(take), "email": email.take(take), "full_name": name.take(take),
        "phone": phone, "birth_date": birth.take(take), "gender": gender.take(take),
        "city": city_rows, "created_at": created_s.take(take),
    })
    entity = concat_outputs(ACCOUNTS, [(table, t, tl.drop_of(t))])
    truth = TruthPart("web", tx.join("user:", uid), person)
    return entity, person, created, uid, truth


# ------------------------------------------------------------------------------ events
def _events(ctx: Context, acct_person: np.ndarray, acct_created: np.ndarray,
            acct_uid: pa.Array) -> tuple[EntityOutput, TruthPart]:
    rng = ctx.rng("web.events")
    p, tl, vol = ctx.people, ctx.timeline, ctx.vol
    visitors = np.flatnonzero(p.has_account | p.web_anon)
    nv = len(visitors)

    # primary account per visitor (first account row of the person), -1 if none
    acct_of = np.full(p.n, -1, dtype=np.int64)
    first_rows = np.unique(acct_person, return_index=True)[1]
    acct_of[acct_person[first_rows]] = first_rows
    second_of = np.full(p.n, -1, dtype=np.int64)
    dup = np.setdiff1d(np.arange(len(acct_person)), first_rows)
    second_of[acct_person[dup]] = dup

    # cookies (devices)
    n_cookies = rng.choice([1, 2, 3], size=nv, p=[0.6, 0.3, 0.1])
    cookie_owner, _ = expand(n_cookies)
    cookie_start = np.cumsum(n_cookies) - n_cookies
    device = rng.choice(3, size=len(cookie_owner), p=[0.65, 0.3, 0.05])

    # sessions
    vp = visitors
    years = (p.active_to[vp] - p.active_from[vp]) / (365 * DAY)
    act = p.activity[vp] / p.activity.mean()
    n_sess = np.maximum(1, rng.poisson(vol["web_sessions_per_year"] * act * years))
    s_vis, _ = expand(n_sess)
    s_t = tl.sample_times(rng, p.active_from[vp][s_vis], p.active_to[vp][s_vis], ONLINE_HOURS)
    s_signup = np.zeros(len(s_vis), bool)
    # the sign-up session of each account created inside the window
    acct_rows = np.flatnonzero(acct_created >= tl.t0)
    vis_index = np.full(p.n, -1, dtype=np.int64)
    vis_index[vp] = np.arange(nv)
    su_vis = vis_index[acct_person[acct_rows]]
    s_vis = np.concatenate([s_vis, su_vis])
    s_t = np.concatenate([s_t, acct_created[acct_rows]])
    s_signup = np.concatenate([s_signup, np.ones(len(acct_rows), bool)])
    s_acct = np.concatenate([np.full(len(s_t) - len(acct_rows), -1), acct_rows])
    ns = len(s_t)
    s_person = vp[s_vis]
    s_cookie = cookie_start[s_vis] + (rng.random(ns) * n_cookies[s_vis]).astype(np.int64)

    # logins: account holders' sessions after sign-up
    primary = acct_of[s_person]
    second = second_of[s_person]
    can_login = (primary >= 0) & ~s_signup
    can_login &= s_t > np.where(primary >= 0, acct_created[np.maximum(primary, 0)], 0)
    pick2 = (second >= 0) & (rng.random(ns) < 0.3)
    pick2 &= s_t > np.where(second >= 0, acct_created[np.maximum(second, 0)], 0)
    login_acct = np.where(pick2, second, primary)
    n_pv = 1 + rng.poisson(0.7, ns)
    n_view = rng.poisson(1.3, ns)
    cart = (n_view > 0) & (rng.random(ns) < 0.35)
    checkout = cart & (rng.random(ns) < 0.55)
    purchase = checkout & (rng.random(ns) < 0.6)
    logged = can_login & ((rng.random(ns) < vol["web_login_share"])
                          | (purchase & (rng.random(ns) < 0.7)))
    s_acct = np.where(logged, login_acct, s_acct)
    counts = np.stack([n_pv, s_signup.astype(np.int64), logged.astype(np.int64), n_view,
                       cart, checkout, purchase], axis=1).astype(np.int64)
    n_ev = counts.sum(axis=1)
    e_sess, e_pos = expand(n_ev)
    bounds = np.cumsum(counts, axis=1)
    etype = np.zeros(len(e_sess), dtype=np.int64)
    for k in range(counts.shape[1] - 1):
        etype += e_pos >= bounds[e_sess, k]
    ne = len(e_sess)
    gaps = rng.exponential(45.0, ne).astype(np.int64) + 1
    gaps[e_pos == 0] = 0
    csum = np.cumsum(gaps)
    sess_first = np.cumsum(n_ev) - n_ev
    e_t = s_t[e_sess] + csum - csum[sess_first[e_sess]]

    # events after the end of the last drop day are not exported yet; sort by time
    keep = np.flatnonzero(e_t < tl.end)
    order = keep[np.lexsort((e_pos[keep], e_sess[keep], e_t[keep]))]
    e_sess, e_pos, etype, e_t = e_sess[order], e_pos[order], etype[order], e_t[order]
    ne = len(order)

    # identity on each event
    login_pos = counts[:, 0]  # sign_up / login comes right after the page views
    has_user = (s_acct[e_sess] >= 0) & (e_pos >= login_pos[e_sess])
    user = tx.take(acct_uid, np.where(has_user, s_acct[e_sess], -1))
    e_cookie = s_cookie[e_sess]
    first_visit = np.full(len(cookie_owner), np.iinfo(np.int64).max)
    by_cookie = np.lexsort((s_t, s_cookie))
    firsts = by_cookie[np.r_[True, s_cookie[by_cookie][1:] != s_cookie[by_cookie][:-1]]]
    first_visit[s_cookie[firsts]] = s_t[firsts]
    used = np.zeros(len(cookie_owner), dtype=bool)
    used[e_cookie] = True  # cookies seen in the exported events
    rand = unique_numbers(rng, len(cookie_owner),
                          lambda r, k: r.integers(1_000_000_000, 4_294_967_295, k),
                          np.empty(0, np.int64))
    # GA4 stamps the first visit in UTC seconds
    epoch = np.where(first_visit < tl.end, first_visit - 7 * 3600, 0)
    pseudo = tx.join(tx.int_str(rand), tx.int_str(epoch), sep=".")

    # items: the session's product for the first view, cart, checkout and purchase
    s_items = sample_items(rng, p.gender[s_person])
    first_view = (etype == VIEW) & (e_pos == bounds[e_sess, LOGIN])
    use_session_item = (etype >= CART) | first_view
    other_view = np.flatnonzero((etype == VIEW) & ~first_view)
    v_items = sample_items(rng, p.gender[s_person[e_sess[other_view]]])
    item_idx = np.where(use_session_item, e_sess, -1)
    item_idx[other_view] = ns + np.arange(len(other_view))
    sku = tx.take(pa.concat_arrays([s_items.sku, v_items.sku]), item_idx)
    slug = tx.take(pa.concat_arrays([s_items.slug, v_items.slug]), item_idx)
    price = np.concatenate([s_items.price, v_items.price])[np.maximum(item_idx, 0)]
    has_item = item_idx >= 0
    has_value = etype >= CART

    # pages and traffic sources (utm on every event of the session, query on the landing)
    base = f"https://www.{ctx.config.brand_domain}"
    fixed = {SIGNUP: "/account/register", LOGIN: "/account/login", CHECKOUT: "/checkout",
             PURCHASE: "/checkout/thank-you"}
    pages = [base + x for x in (*LANDING_PATHS, *BROWSE_PATHS, *fixed.values())]
    nl, nb = len(LANDING_PATHS), len(BROWSE_PATHS)
    page = np.where(e_pos == 0, rng.integers(0, nl, ne), nl + rng.integers(0, nb, ne))
    for j, k in enumerate(fixed):
        page[etype == k] = nl + nb + j
    location = tx.where(has_item, tx.join(base + "/products/", slug), tx.take(pages, page))
    utm = _utm(rng, s_t, tl.start_date)
    e_utm = utm.has[e_sess]
    land = np.flatnonzero((e_pos == 0) & e_utm)
    ls = pa.array(e_sess[land])
    query = tx.join(location.take(pa.array(land)), "?utm_source=", utm.source.take(ls),
                    "&utm_medium=", utm.medium.take(ls), "&utm_campaign=",
                    utm.campaign.take(ls))
    location = tx.patch(location, land, query)
    utm_idx = np.where(e_utm, e_sess, -1)

    # order numbers for purchases, event ids in time order
    is_purchase = etype == PURCHASE
    txn = tx.null_where(tx.join("SB", tx.int_str(np.cumsum(is_purchase) + 100_000)),
                        ~is_purchase)
    table = make_table(EVENTS, {
        "event_id": tx.int_str(np.arange(ne) + 5_000_000_001),
        "event_timestamp": C.render_times(e_t, rng, ctx.rates, ctx.tally),
        "event_name": tx.take(EVENT_NAMES, etype),
        "user_pseudo_id": pseudo.take(pa.array(e_cookie)),
        "user_id": user,
        "page_location": location,
        "utm_source": tx.take(utm.source, utm_idx),
        "utm_medium": tx.take(utm.medium, utm_idx),
        "utm_campaign": tx.take(utm.campaign, utm_idx),
        "device_category": tx.take(["mobile", "desktop", "tablet"], device[e_cookie]),
        "item_sku": sku,
        "value": pa.array(price, pa.int64(), mask=~has_value),
        "currency": tx.null_where(tx.const("VND", ne), ~has_value),
        "transaction_id": txn,
    })
    entity = concat_outputs(EVENTS, [(table, e_t, tl.drop_of(e_t))])
    cookies = np.flatnonzero(used)
    truth = TruthPart("web", tx.join("cookie:", pseudo.take(pa.array(cookies))),
                      visitors[cookie_owner[cookies]])
    return entity, truth


class _Utm:
    def __init__(self, has: np.ndarray, source: pa.Array, medium: pa.Array,
                 campaign: pa.Array) -> None:
        self.has, self.source, self.medium, self.campaign = has, source, medium, campaign


def _utm(rng: np.random.Generator, t: np.ndarray, start: dt.date) -> _Utm:
    """Session traffic source; campaign names follow the marketing calendar."""
    n = len(t)
    has = rng.random(n) < 0.4
    src_i = rng.choice(len(V.UTM_SOURCES), size=n,
                       p=np.array([u[2] for u in V.UTM_SOURCES]) / sum(u[2] for u in V.UTM_SOURCES))
    source = tx.take([u[0] for u in V.UTM_SOURCES], src_i)
    medium = tx.take([u[1] for u in V.UTM_SOURCES], src_i)
    day = t // DAY
    names: list[str] = ["always_on"]
    code = np.zeros(n, dtype=np.int64)
    if n:
        first = (dt.date(1970, 1, 1) + dt.timedelta(days=int(day.min()))).year
        for year in range(first, start.year + 2):
            for month, d, key, _name, _promo in V.CAMPAIGN_CALENDAR:
                c0 = (dt.date(year, month, d) - dt.date(1970, 1, 1)).days
                win = (day >= c0 - 3) & (day < c0 + 5)
                code[win] = len(names)
                names.append(f"{key}_{year}")
    return _Utm(has, source, medium, tx.take(names, code))
