"""The product catalogue: SKUs, names, categories and prices (vectorised sampling).

Every sellable variant (model x colour x size) is enumerated once; sampling draws integer
variant numbers and takes the strings from the small catalogue arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from generator import textops as tx
from generator import vocab as V

_MODELS = V.PRODUCTS
_POPULARITY = np.array([p[4] for p in _MODELS]) / sum(p[4] for p in _MODELS)
_IS_SHOE = np.array([p[2] in V.SHOE_CATEGORIES for p in _MODELS])
_IS_KIDS = np.array([not p[5] for p in _MODELS])
_IS_APPAREL = np.array([p[2] == "Quần áo" for p in _MODELS])
_APPAREL_SIZES = ["S", "M", "L", "XL", "XXL"]
_ADULT_SIZES = list(range(35, 46))
_KIDS_SIZES = list(range(26, 36))


def _sizes(m: int) -> list[str]:
    if _IS_KIDS[m]:
        return [str(s) for s in _KIDS_SIZES]
    if _IS_SHOE[m]:
        return [str(s) for s in _ADULT_SIZES]
    if _IS_APPAREL[m]:
        return list(_APPAREL_SIZES)
    return [""]


def _build() -> tuple[np.ndarray, np.ndarray, dict[str, pa.Array], np.ndarray]:
    sku, name, category, slug, price = [], [], [], [], []
    offsets, n_sizes = [], []
    for m, (code, pname, cat, list_price, _pop, _adult) in enumerate(_MODELS):
        sizes = _sizes(m)
        offsets.append(len(sku))
        n_sizes.append(len(sizes))
        for ccode, cname in V.COLORWAYS:
            for size in sizes:
                sku.append(f"SB-{code}-{ccode}" + (f"-{size}" if size else ""))
                name.append(f"{pname} - {cname}" + (f" - Size {size}" if size else ""))
                category.append(cat)
                slug.append(f"{code}-{ccode}".lower())
                price.append(list_price)
    arrays = {"sku": tx.vocab(sku), "name": tx.vocab(name), "category": tx.vocab(category),
              "slug": tx.vocab(slug)}
    return np.array(offsets), np.array(n_sizes), arrays, np.array(price, dtype=np.int64)


_OFFSET, _NSIZES, _ARRAYS, _PRICE = _build()


@dataclass
class Items:
    sku: pa.Array
    name: pa.Array
    category: pa.Array
    price: np.ndarray
    slug: pa.Array          # web URL path of the product


def sample_items(rng: np.random.Generator, gender: np.ndarray) -> Items:
    """One product per row; shoe sizes follow the buyer's gender (0 female, 1 male)."""
    n = len(gender)
    model = rng.choice(len(_MODELS), size=n, p=_POPULARITY)
    color = rng.integers(0, len(V.COLORWAYS), n)
    female = np.asarray(gender) == 0
    adult = np.where(female, rng.choice(np.arange(35, 41), n, p=[.1, .2, .3, .2, .12, .08]),
                     rng.choice(np.arange(39, 46), n, p=[.06, .12, .22, .25, .2, .1, .05]))
    size_idx = np.where(_IS_SHOE[model], adult - _ADULT_SIZES[0], 0)
    size_idx = np.where(_IS_KIDS[model], rng.integers(0, len(_KIDS_SIZES), n), size_idx)
    size_idx = np.where(_IS_APPAREL[model], rng.choice(len(_APPAREL_SIZES), n,
                                                       p=[.15, .35, .3, .15, .05]), size_idx)
    variant = pa.array(_OFFSET[model] + color * _NSIZES[model] + size_idx)
    return Items(sku=_ARRAYS["sku"].take(variant), name=_ARRAYS["name"].take(variant),
                 category=_ARRAYS["category"].take(variant),
                 price=_PRICE[variant.to_numpy()], slug=_ARRAYS["slug"].take(variant))
