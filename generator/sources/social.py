"""social/profiles and social/interactions: people talking to and about the brand."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from generator import corruption as C
from generator import textops as tx
from generator import vocab as V
from generator.people import FAMILY_A, FAMILY_U, GIVEN_A, GIVEN_U, duplicated, unique_numbers
from generator.sources.common import (
    Context,
    SourceOutput,
    TruthPart,
    concat_outputs,
    expand,
    make_table,
)
from generator.timeline import DAY, ONLINE_HOURS

PROFILES = "social/profiles"
INTERACTIONS = "social/interactions"
PLATFORMS = ["facebook", "instagram", "tiktok", "zalo", "x"]
PLATFORM_WEIGHT = np.array([0.45, 0.25, 0.15, 0.12, 0.03])
#: profile id ranges per platform (inclusive low, exclusive high)
ID_RANGE = [(100_000_000_000_000, 100_099_999_999_999), (1_000_000_000, 60_000_000_000),
            (6_700_000_000_000_000_000, 7_300_000_000_000_000_000),
            (1_000_000_000_000_000_000, 9_000_000_000_000_000_000),
            (100_000_000_000_000_000, 1_900_000_000_000_000_000)]
KINDS = ["comment", "message", "mention", "review", "share"]
KIND_P = np.array([[.45, .15, .10, .12, .18],   # facebook
                   [.50, .10, .20, .05, .15],   # instagram
                   [.60, .05, .15, .02, .18],   # tiktok
                   [.10, .80, .00, .10, .00],   # zalo (official account chat)
                   [.40, .05, .40, .00, .15]])  # x


def build(ctx: Context) -> SourceOutput:
    rng = ctx.rng("social")
    p, tl, rates = ctx.people, ctx.timeline, ctx.rates
    who = np.flatnonzero(p.in_social)
    k = rng.choice([1, 2, 3], size=len(who), p=[0.7, 0.25, 0.05])
    # distinct platforms per person: weighted sampling without replacement
    keys = rng.random((len(who), len(PLATFORMS))) ** (1 / PLATFORM_WEIGHT)
    ranked = np.argsort(-keys, axis=1)
    owner, pos = expand(k)
    platform = ranked[owner, pos]
    person = who[owner]
    n = len(person)
    pp = pa.array(person)

    pid = np.zeros(n, dtype=np.int64)
    for pl, (lo, hi) in enumerate(ID_RANGE):
        m = platform == pl
        if m.any():
            pid[m] = unique_numbers(rng, int(m.sum()),
                                    lambda r, c, lo=lo, hi=hi: r.integers(lo, hi, c, np.int64),
                                    np.empty(0, np.int64))
    profile_id = tx.int_str(pid)
    plat = tx.take(PLATFORMS, platform)
    created = tl.delayed(rng, p.since[person], 60)

    handle = _handles(ctx, rng, person, platform)
    display = _display_names(ctx, rng, person, created)
    email = C.render_emails(tx.null_where(p.email_local.take(pp), rng.random(n) >= 0.08),
                            p.email_domain.take(pp), p.free_mail[person], rng, rates, ctx.tally)
    phone_p = np.where(platform == 3, 0.6, 0.03)
    phone = C.render_phones(np.where(rng.random(n) < phone_p, p.phone_at(person, created), 0),
                            rng, rates, ctx.tally)
    location = tx.null_where(C.render_cities(p.city[person], rng, rates, ctx.tally),
                             rng.random(n) >= 0.3)
    influencer = rng.random(n) < 0.005
    followers = np.where(influencer, 10 ** (4 + 2 * rng.random(n)),
                         rng.lognormal(5.0, 1.2, n)).astype(np.int64)

    # rows: first sighting, then daily re-sends with a fresh follower count
    rows, times, foll = [np.arange(n)], [created], [followers]
    for d in range(1, tl.days):
        day_start = tl.start + d * DAY
        existing = np.flatnonzero(created < day_start)
        pick = existing[rng.random(len(existing)) < 5 * ctx.vol["daily_update_share"]]
        rows.append(pick)
        times.append(day_start + rng.integers(0, DAY, len(pick)))
        foll.append((followers[pick] * rng.uniform(1.0, 1.05, len(pick))).astype(np.int64))
    row = np.concatenate(rows)
    t = np.concatenate(times)
    f = np.concatenate(foll)
    take = pa.array(row)
    table = make_table(PROFILES, {
        "platform": plat.take(take), "profile_id": profile_id.take(take),
        "handle": handle.take(take), "display_name": display.take(take),
        "email": email.take(take), "phone": phone.take(take), "location": location.take(take),
        "followers": pa.array(f, pa.int64(), mask=rng.random(len(row)) >= 0.85),
    })
    profiles = concat_outputs(PROFILES, [(table, t, tl.drop_of(t))])
    interactions = _interactions(ctx, rng, person, platform, profile_id, created, influencer)
    truth = TruthPart("social", tx.join(plat, profile_id, sep=":"), person)
    return SourceOutput([profiles, interactions], [truth])


def _handles(ctx: Context, rng: np.random.Generator, person: np.ndarray,
             platform: np.ndarray) -> pa.Array:
    p = ctx.people
    n = len(person)
    fam = tx.lower(tx.take(FAMILY_U, p.family[person]))
    giv = tx.lower(tx.take(GIVEN_U, p.given[person]))
    digits = tx.int_str(rng.integers(1, 9999, n))
    code = rng.choice(5, size=n, p=[0.35, 0.2, 0.2, 0.15, 0.1])
    builders = [
        lambda i: p.email_local.take(pa.array(person[i])),     # reuses the email name
        lambda i: tx.join(giv.take(i), ".", fam.take(i)),
        lambda i: tx.join(giv.take(i), fam.take(i), "_", digits.take(i)),
        lambda i: tx.join(fam.take(i), giv.take(i), digits.take(i)),
        lambda i: tx.join("user", digits.take(i), tx.int_str(rng.integers(100, 999, len(i)))),
    ]
    handle = tx.by_code(code, builders)
    # profile ids are unique, handles must be too: suffix the platform row number on clashes
    handle = tx.join(handle, tx.where(_dups(handle, platform), tx.int_str(np.arange(n)),
                                      pa.array([""] * n, pa.string())))
    none = ((platform == 0) & (rng.random(n) < 0.7)) | (platform == 3)
    return tx.null_where(handle, none)


def _dups(values: pa.Array, group: np.ndarray) -> np.ndarray:
    codes = tx.flat(values).dictionary_encode().indices.to_numpy(zero_copy_only=False)
    return duplicated(codes.astype(np.int64) * 8 + group)


def _display_names(ctx: Context, rng: np.random.Generator, person: np.ndarray,
                   created: np.ndarray) -> pa.Array:
    p = ctx.people
    n = len(person)
    full = C.render_full_names(p, person, created, rng, ctx.rates, ctx.tally)
    fold = rng.random(n) < ctx.rates["name_no_diacritics"]
    giv = tx.where(fold, tx.take(GIVEN_U, p.given[person]), tx.take(GIVEN_A, p.given[person]))
    fam = tx.where(fold, tx.take(FAMILY_U, p.family[person]),
                   tx.take(FAMILY_A, p.family[person]))
    emoji = tx.take(list(V.EMOJI_POSITIVE), rng.integers(0, len(V.EMOJI_POSITIVE), n))
    western = tx.join(giv, fam, sep=" ")       # Facebook's "Lan Nguyễn"
    nick = tx.join(giv, emoji, sep=" ")        # "Lan 🌸"
    u = rng.random(n)
    return tx.where(u < 0.5, full, tx.where(u < 0.82, western, nick))


def _interactions(ctx: Context, rng: np.random.Generator, person: np.ndarray,
                  platform: np.ndarray, profile_id: pa.Array, created: np.ndarray,
                  influencer: np.ndarray):
    p, tl = ctx.people, ctx.timeline
    lo = np.maximum(created, p.active_from[person])
    hi = np.maximum(p.active_to[person], lo + DAY)
    years = np.maximum(np.minimum(hi, tl.end) - np.maximum(lo, tl.t0), 0) / (365 * DAY)
    rate = ctx.vol["social_interactions_per_year"] * p.activity[person] / p.activity.mean()
    rate = np.where(influencer, rate * 5, rate)
    count = rng.poisson(rate * years)
    owner, _ = expand(count)
    m = len(owner)
    t = tl.sample_times(rng, lo[owner], hi[owner], ONLINE_HOURS)
    plat = platform[owner]
    u = rng.random(m)
    cum = np.cumsum(KIND_P, axis=1)[plat]
    kind = np.minimum((u[:, None] >= cum).sum(axis=1), len(KINDS) - 1)
    # sentiment: each person has a mood; reviews and messages skew to the extremes
    p_neg = rng.beta(1.5, 6.0, len(person))[owner]
    s = rng.random(m)
    senti = np.where(s < p_neg, 0, np.where(s < p_neg + 0.3, 1, 2))  # neg, neutral, pos
    english = np.where(p.foreign[person[owner]], rng.random(m) < 0.85, rng.random(m) < 0.07)
    text = _texts(rng, senti, english)
    text = tx.null_where(text, (kind == 4) & (rng.random(m) < 0.6))
    lang = tx.null_where(tx.where(english, tx.const("en", m),
                                  tx.const("vi", m)),
                         rng.random(m) < 0.25)
    order = np.lexsort((owner, t))
    iid = np.empty(m, dtype=np.int64)
    iid[order] = 10**17 + np.arange(m) * 100 + rng.integers(0, 100, m)
    ids = tx.int_str(iid)
    # replies: to a brand post, or to an earlier interaction on the same platform
    posts = tx.int_str(rng.integers(10**15, 10**16, 300))
    post_of = tx.join("post_", posts.take(pa.array(rng.integers(0, 300, m))))
    reply = (kind == 0) & (rng.random(m) < 0.3)
    earlier = np.empty(m, dtype=np.int64)
    by_plat = np.lexsort((t, plat))
    rank = np.empty(m, dtype=np.int64)
    rank[by_plat] = np.arange(m)
    plat_start = np.searchsorted(plat[by_plat], plat)
    back = np.maximum(rank - rng.integers(1, 40, m), plat_start)
    earlier = by_plat[back]
    reply &= earlier != np.arange(m)
    in_reply = tx.where(reply, ids.take(pa.array(earlier)), post_of)
    in_reply = tx.null_where(in_reply, ~((kind == 0) | (kind == 4)))
    table = make_table(INTERACTIONS, {
        "interaction_id": ids,
        "platform": tx.take(PLATFORMS, plat),
        "profile_id": profile_id.take(pa.array(owner)),
        "kind": tx.take(KINDS, kind),
        "text": text,
        "occurred_at": C.render_times(t, rng, ctx.rates, ctx.tally),
        "in_reply_to": in_reply,
        "lang": lang,
    })
    return concat_outputs(INTERACTIONS, [(table, t, tl.drop_of(t))])


def _texts(rng: np.random.Generator, senti: np.ndarray, english: np.ndarray) -> pa.Array:
    m = len(senti)
    pools = [V.SOCIAL_NEGATIVE_VI, V.SOCIAL_NEUTRAL_VI, V.SOCIAL_POSITIVE_VI,
             V.SOCIAL_NEGATIVE_EN, V.SOCIAL_NEUTRAL_EN, V.SOCIAL_POSITIVE_EN]
    flat = [s for pool in pools for s in pool]
    offsets = np.cumsum([0] + [len(pool) for pool in pools])[:-1]
    sizes = np.array([len(pool) for pool in pools])
    g = senti + 3 * english.astype(np.int64)
    base = tx.take(flat, offsets[g] + (rng.random(m) * sizes[g]).astype(np.int64))
    emo_pools = [V.EMOJI_NEGATIVE, V.EMOJI_NEUTRAL, V.EMOJI_POSITIVE]
    eflat = [e for pool in emo_pools for e in pool]
    eoff = np.cumsum([0] + [len(pool) for pool in emo_pools])[:-1]
    esz = np.array([len(pool) for pool in emo_pools])
    emoji = tx.take(eflat, eoff[senti] + (rng.random(m) * esz[senti]).astype(np.int64))
    emoji = tx.null_where(emoji, rng.random(m) >= 0.6)
    tags = tx.null_where(tx.take(list(V.HASHTAGS), rng.integers(0, len(V.HASHTAGS), m)),
                         rng.random(m) >= 0.25)
    return tx.join(base, emoji, tags, sep=" ", skip_nulls=True)
