"""Vectorised string helpers on top of pyarrow.compute (no per-row Python loops)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

StrArray = pa.Array | pa.ChunkedArray
Part = StrArray | str


def vocab(values: Sequence[str]) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def take(values: Sequence[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as an arrow string array; negative indices give null."""
    arr = values if isinstance(values, pa.Array) else vocab(values)
    idx = np.asarray(idx)
    mask = idx < 0
    indices = pa.array(np.where(mask, 0, idx), mask=mask if mask.any() else None)
    return arr.take(indices)


def join(*parts: Part, sep: str = "", skip_nulls: bool = False) -> pa.Array:
    """Element-wise concatenation; plain ``str`` parts are broadcast.

    With ``skip_nulls`` null parts are left out (a row of only nulls gives ``""``).
    pyarrow 26 drops rows whose parts are all null under ``null_handling="skip"``, so a
    non-null sentinel part is appended and stripped again."""
    cols = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    if not skip_nulls:
        return flat(pc.binary_join_element_wise(*cols, sep))
    joined = flat(pc.binary_join_element_wise(*cols, pa.scalar(_SENTINEL), sep,
                                              null_handling="skip"))
    if sep:
        joined = pc.replace_substring(joined, sep + _SENTINEL, "")
    return flat(pc.replace_substring(joined, _SENTINEL, ""))


_SENTINEL = "\x00"


def flat(arr: StrArray) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def const(value: str, n: int) -> pa.Array:
    """An n-long string array holding ``value`` (fast: a take from a 1-element vocabulary)."""
    return vocab([value]).take(pa.array(np.zeros(n, dtype=np.int64)))


def patch(base: StrArray, rows: np.ndarray, values: StrArray) -> pa.Array:
    """``base`` with ``base[rows] = values``."""
    base = flat(base)
    n = len(base)
    idx = np.arange(n, dtype=np.int64)
    idx[rows] = n + np.arange(len(rows))
    both = pa.concat_arrays([base.cast(pa.string()), flat(values).cast(pa.string())])
    return both.take(pa.array(idx))


def null_where(arr: StrArray, mask: np.ndarray) -> pa.Array:
    """Set ``arr`` to null where ``mask`` is true."""
    arr = flat(arr)
    if not mask.any():
        return arr
    return flat(pc.if_else(pa.array(mask), pa.nulls(len(arr), arr.type), arr))


def where(mask: np.ndarray, if_true: StrArray, if_false: StrArray) -> pa.Array:
    return flat(pc.if_else(pa.array(mask), flat(if_true), flat(if_false)))


def by_code(codes: np.ndarray, builders: Sequence[Callable[[np.ndarray], pa.Array]],
            ) -> pa.Array:
    """Build row ``i`` with ``builders[codes[i]](indices)``; one vectorised call per code."""
    codes = np.asarray(codes)
    n = len(codes)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(builders))
    pieces: list[pa.Array] = []
    start = 0
    for k, count in enumerate(counts):
        if count:
            pieces.append(flat(builders[k](order[start:start + count])))
        start += count
    if not pieces:
        return pa.array([], pa.string())
    merged = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return merged.take(pa.array(inverse))


def int_str(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers as strings, zero-padded to ``width``."""
    s = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
    return flat(pc.utf8_lpad(s, width=width, padding="0")) if width else s


def slice_(arr: StrArray, start: int, stop: int | None = None) -> pa.Array:
    return flat(pc.utf8_slice_codeunits(arr, start=start, stop=stop))


def fill_template(digits: StrArray, template: str) -> pa.Array:
    """Fill ``#`` placeholders with consecutive characters of ``digits``
    (e.g. ``"+84 ## ### ####"``); extra characters are appended."""
    parts: list[Part] = []
    pos = 0
    i = 0
    while i < len(template):
        if template[i] == "#":
            j = i
            while j < len(template) and template[j] == "#":
                j += 1
            parts.append(slice_(digits, pos, pos + (j - i)))
            pos += j - i
            i = j
        else:
            j = i
            while j < len(template) and template[j] != "#":
                j += 1
            parts.append(template[i:j])
            i = j
    parts.append(slice_(digits, pos))
    return join(*parts)


def lower(arr: StrArray) -> pa.Array:
    return flat(pc.utf8_lower(arr))


def upper(arr: StrArray) -> pa.Array:
    return flat(pc.utf8_upper(arr))


def timestamps(seconds: np.ndarray, with_offset: np.ndarray | None = None) -> pa.Array:
    """Local wall-clock seconds -> ISO-8601 ``YYYY-MM-DDTHH:MM:SS`` (+ ``+07:00`` where
    ``with_offset``)."""
    ts = pa.array(np.asarray(seconds, dtype=np.int64), pa.timestamp("s")).cast(pa.string())
    iso = flat(pc.replace_substring(ts, " ", "T"))
    if with_offset is not None and with_offset.any():
        iso = where(with_offset, join(iso, "+07:00"), iso)
    return iso


def dates(days: np.ndarray) -> pa.Array:
    """Days since 1970-01-01 -> ``YYYY-MM-DD``."""
    return pa.array(np.asarray(days, dtype=np.int32), pa.date32()).cast(pa.string())
