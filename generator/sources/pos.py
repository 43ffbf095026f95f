"""pos/transactions: store sales, one row per line item."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from generator import corruption as C
from generator import textops as tx
from generator import vocab as V
from generator.people import GIVEN_A, GIVEN_U
from generator.sources.catalog import sample_items
from generator.sources.common import (
    Context,
    SourceOutput,
    TruthPart,
    choose,
    concat_outputs,
    expand,
    make_table,
)
from generator.timeline import DAY, STORE_HOURS

PREFIX = "pos/transactions"


def build(ctx: Context) -> SourceOutput:
    rng = ctx.rng("pos")
    p, tl, rates, vol, stores = ctx.people, ctx.timeline, ctx.rates, ctx.vol, ctx.stores
    n_stores = len(stores.store_id)

    # ---- identified customers' transactions ----------------------------------------
    buyers = np.flatnonzero(p.in_pos)
    years = (p.active_to[buyers] - p.active_from[buyers]) / (365 * DAY)
    act = p.activity[buyers] / p.activity.mean()
    n_tx = np.maximum(1, rng.poisson(vol["pos_transactions_per_year"] * act * years))
    person = buyers[expand(n_tx)[0]]
    m = len(person)
    t_c = tl.sample_times(rng, p.active_from[person], p.active_to[person], STORE_HOURS)
    home = _home_store(rng, p.city, stores)
    store_c = np.where(rng.random(m) < 0.85, home[person],
                       rng.choice(n_stores, size=m, p=stores.weight))

    # ---- anonymous walk-ins -----------------------------------------------------------
    share = vol["pos_walk_in_share"]
    n_walk = round(m * share / (1 - share)) if share < 1 else m
    t_w = tl.sample_times(rng, np.full(n_walk, tl.t0), np.full(n_walk, tl.end), STORE_HOURS)
    store_w = rng.choice(n_stores, size=n_walk, p=stores.weight)

    # ---- all transactions, ids in store/day order ------------------------------------
    is_walk = np.concatenate([np.zeros(m, bool), np.ones(n_walk, bool)])
    t = np.concatenate([t_c, t_w])
    store = np.concatenate([store_c, store_w])
    n_all = m + n_walk
    order = np.lexsort((t, store))
    tid_sorted = _transaction_ids(store[order], t[order], stores.store_id)
    # from here on transactions are in time order (the file order)
    src = np.argsort(t, kind="stable")  # row in the concatenated (customer, walk-in) arrays
    rank = np.empty(n_all, dtype=np.int64)
    rank[order] = np.arange(n_all)
    tid = tid_sorted.take(pa.array(rank[src]))
    is_walk, t, store = is_walk[src], t[src], store[src]

    cust = ~is_walk
    ci = src[cust]                 # index into customer arrays
    pers = person[ci]
    walk_no = ctx.walk_ins.count + np.arange(int(is_walk.sum()))

    phone_nsn = np.zeros(n_all, dtype=np.int64)
    via_counter = np.zeros(n_all, dtype=bool)
    names = pa.nulls(n_all, pa.string())
    email = pa.nulls(n_all, pa.string())
    loyalty = pa.nulls(n_all, pa.string())
    gender = rng.integers(0, 2, n_all).astype(np.int8)

    # customers: what the cashier captured
    k = len(pers)
    counter = rng.random(k) < rates["counter_phone_member"]
    ctx.tally.add("counter_phone_member", counter.sum(), k)
    tc = t[cust]
    # the unified loyalty number exists once the web account is open
    is_member = np.asarray(ctx.ids.user_id.take(pa.array(pers)).is_valid()) & (
        tc >= ctx.ids.user_created[pers])
    member_id = tx.where(is_member, ctx.ids.user_id.take(pa.array(pers)),
                         ctx.ids.store_card.take(pa.array(pers)))
    has_member = np.asarray(member_id.is_valid())
    show_member = has_member & (rng.random(k) < 0.65) & ~counter
    show_phone = (rng.random(k) < 0.72) & ~counter
    show_name = (rng.random(k) < 0.6) | counter
    show_email = rng.random(k) < 0.10
    nothing = ~(show_member | show_phone | show_name | show_email | counter)
    show_phone |= nothing
    nsn_c = np.where(show_phone, p.phone_at(pers, tc), 0)
    nsn_c = np.where(counter, stores.counter_phone[store[cust]], nsn_c)
    phone_nsn[cust] = nsn_c
    via_counter[cust] = counter
    gender[cust] = p.gender[pers]

    name_rows = np.flatnonzero(show_name)
    cust_rows = np.flatnonzero(cust)
    cust_names = pa.nulls(k, pa.string())
    if len(name_rows):
        rendered = C.render_full_names(p, pers[name_rows], tc[name_rows], rng, rates,
                                       ctx.tally, pos=True)
        cust_names = _scatter(k, name_rows, rendered)
    use2 = p.has_email2[pers] & (rng.random(k) < 0.3)
    local = tx.where(use2, p.email2_local.take(pa.array(pers)),
                     p.email_local.take(pa.array(pers)))
    domain = tx.where(use2, p.email2_domain.take(pa.array(pers)),
                      p.email_domain.take(pa.array(pers)))
    free = np.where(use2, p.free_mail2[pers], p.free_mail[pers])
    local = tx.null_where(local, ~show_email)
    cust_email = C.render_emails(local, domain, free, rng, rates, ctx.tally)

    # walk-ins: nothing, a placeholder, or "anh Hùng"-style names, maybe the counter phone
    wk = int(is_walk.sum())
    w_counter = rng.random(wk) < rates["counter_phone_walk_in"]
    ctx.tally.add("counter_phone_walk_in", w_counter.sum(), wk)
    w_store = store[is_walk]
    phone_nsn[is_walk] = np.where(w_counter, stores.counter_phone[w_store], 0)
    via_counter[is_walk] = w_counter
    w_name = _walk_in_names(rng, gender[is_walk], w_counter)
    ctx.walk_ins.name.append(w_name)
    ctx.walk_ins.counter_phone.append(np.where(w_counter, stores.counter_phone[w_store], 0))
    ctx.walk_ins.count += wk

    walk_rows = np.flatnonzero(is_walk)
    names = _merge(n_all, cust_rows, cust_names, walk_rows, w_name)
    email = _merge(n_all, cust_rows, cust_email, walk_rows, pa.nulls(wk, pa.string()))
    member_shown = tx.null_where(member_id, ~show_member)
    loyalty = _merge(n_all, cust_rows, member_shown, walk_rows, pa.nulls(wk, pa.string()))
    phone = C.render_phones(phone_nsn, rng, rates, ctx.tally)

    # ---- transaction attributes -------------------------------------------------------
    ts = C.render_times(t, rng, rates, ctx.tally)
    payment = choose(rng, V.PAYMENT_METHODS, n_all)
    promo_code, promo_pct = _promotions(rng, t, tl.start_date, has_member=np.asarray(
        loyalty.is_valid()))
    currency = tx.null_where(tx.const("VND", n_all),
                             rng.random(n_all) < 0.15)

    # ---- line items -------------------------------------------------------------------
    n_lines = np.minimum(1 + rng.poisson(max(vol["pos_lines_mean"] - 1, 0), n_all), 6)
    line_tx, _ = expand(n_lines)
    items = sample_items(rng, gender[line_tx])
    nl = len(line_tx)
    qty = rng.choice([1, 2, 3], size=nl, p=[0.88, 0.10, 0.02])
    gross = items.price * qty
    pct = promo_pct[line_tx]
    markdown = (pct == 0) & (rng.random(nl) < 0.05)
    pct = np.where(markdown, 0.15, pct)
    discount = (np.round(gross * pct / 1000) * 1000).astype(np.int64)
    blank_zero = (store[line_tx] % 2 == 1) & (discount == 0)  # half the stores export blanks
    opt_missing = rng.random(nl) < 0.03

    take = pa.array(line_tx)
    table = make_table(PREFIX, {
        "transaction_id": tid.take(take),
        "store_id": tx.take(stores.store_id, store[line_tx]),
        "transacted_at": ts.take(take),
        "customer_name": names.take(take),
        "phone": phone.take(take),
        "email": email.take(take),
        "loyalty_id": loyalty.take(take),
        "sku": items.sku,
        "product_name": tx.null_where(items.name, opt_missing),
        "category": tx.null_where(items.category, opt_missing),
        "quantity": pa.array(qty, pa.int64()),
        "unit_price": pa.array(items.price, pa.int64()),
        "discount": pa.array(discount, pa.int64(), mask=blank_zero),
        "currency": currency.take(take),
        "payment_method": payment.take(take),
        "promo_code": promo_code.take(take),
    })
    row_t = t[line_tx]
    entity = concat_outputs(PREFIX, [(table, row_t, tl.drop_of(row_t))])

    person_of_tx = np.empty(n_all, dtype=np.int64)
    person_of_tx[cust] = pers
    person_of_tx[is_walk] = p.n + walk_no
    truth = TruthPart("pos", tid, person_of_tx, via_counter)
    return SourceOutput([entity], [truth])


def _scatter(n: int, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """An n-long array holding ``values`` at ``rows`` and nulls elsewhere."""
    idx = np.full(n, -1, dtype=np.int64)
    idx[rows] = np.arange(len(rows))
    return tx.take(values, idx)


def _merge(n: int, rows_a: np.ndarray, a: pa.Array, rows_b: np.ndarray, b: pa.Array,
           ) -> pa.Array:
    both = pa.concat_arrays([tx.flat(a).cast(pa.string()), tx.flat(b).cast(pa.string())])
    idx = np.empty(n, dtype=np.int64)
    idx[rows_a] = np.arange(len(rows_a))
    idx[rows_b] = len(rows_a) + np.arange(len(rows_b))
    return both.take(pa.array(idx))


def _home_store(rng: np.random.Generator, city: np.ndarray, stores) -> np.ndarray:
    """Each person's usual store: one in their city, else a big-city store."""
    n = len(city)
    fallback = rng.choice(len(stores.store_id), size=n, p=stores.weight)
    home = fallback.copy()
    for ci in np.unique(stores.city):
        local = np.flatnonzero(stores.city == ci)
        mask = city == ci
        home[mask] = local[rng.integers(0, len(local), int(mask.sum()))]
    return home


def _transaction_ids(store: np.ndarray, t: np.ndarray, store_ids: list[str]) -> pa.Array:
    """``HCM01-261101-0042``: store, date, running number per store and day (rows sorted by
    store then time)."""
    day = t // DAY
    key = store.astype(np.int64) * 10**6 + day
    new = np.ones(len(key), dtype=bool)
    new[1:] = key[1:] != key[:-1]
    group_start = np.maximum.accumulate(np.where(new, np.arange(len(key)), 0))
    seq = np.arange(len(key)) - group_start + 1
    date = tx.dates(day)
    yymmdd = tx.join(tx.slice_(date, 2, 4), tx.slice_(date, 5, 7), tx.slice_(date, 8, 10))
    return tx.join(tx.take(store_ids, store), yymmdd, tx.int_str(seq, 4), sep="-")


def _walk_in_names(rng: np.random.Generator, gender: np.ndarray, counter: np.ndarray,
                   ) -> pa.Array:
    n = len(gender)
    placeholder = tx.take(list(V.NAME_PLACEHOLDERS), rng.integers(0, len(V.NAME_PLACEHOLDERS),
                                                                   n))
    nf = len(V.GIVEN_FEMALE)
    given = np.where(gender == 0, rng.integers(0, nf, n),
                     nf + rng.integers(0, len(V.GIVEN_MALE), n))
    fold = rng.random(n) < 0.3
    giv = tx.where(fold, tx.take(GIVEN_U, given), tx.take(GIVEN_A, given))
    hon_f = ["chị", "cô", "em", "chi", "co"]
    hon_m = ["anh", "chú", "em", "anh", "chu"]
    h = rng.integers(0, len(hon_f), n)
    hon = tx.where(gender == 0, tx.take(hon_f, h), tx.take(hon_m, h))
    called = tx.join(hon, giv, sep=" ")
    u = rng.random(n)
    with_counter = tx.where(u < 0.7, placeholder, called)
    without = tx.null_where(placeholder, u < 0.55)
    return tx.where(counter, with_counter, without)


def _promotions(rng: np.random.Generator, t: np.ndarray, start: dt.date,
                has_member: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Promo codes are used in the days after a calendar campaign (and by members)."""
    n = len(t)
    day = t // DAY
    codes = np.full(n, -1, dtype=np.int64)
    pct = np.zeros(n)
    values: list[str] = []
    first_year = (dt.date(1970, 1, 1) + dt.timedelta(days=int(day.min()) if n else 0)).year
    for year in range(first_year, start.year + 2):
        for month, d, _code, _name, promo in V.CAMPAIGN_CALENDAR:
            if not promo:
                continue
            c0 = (dt.date(year, month, d) - dt.date(1970, 1, 1)).days
            window = (day >= c0) & (day < c0 + 4) & (rng.random(n) < 0.45)
            codes[window] = len(values)
            pct[window] = rng.choice([0.1, 0.2, 0.3], size=int(window.sum()))
            values.append(promo.format(yy=f"{year % 100:02d}", y=year))
    member_promo = (codes < 0) & has_member & (rng.random(n) < 0.06)
    codes[member_promo] = len(values)
    pct[member_promo] = 0.1
    values.append("MEMBER10")
    return tx.take(values, codes), pct
