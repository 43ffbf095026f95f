"""The landing folder: which files belong to an entity, and what their bytes look like.

Everything here streams files in large chunks with C-speed primitives (hashlib,
``bytes.count``, numpy); nothing loops over rows in Python.
"""

import hashlib
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.contract import ENTITIES, FORMATS, Entity

CHUNK_BYTES = 8 << 20
_LF = 10


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relpath: str  # POSIX path relative to the landing dir; the file's identity in raw tables
    format: str


def find_landing_files(
    landing_dir: Path, entity: Entity, entities: Collection[Entity] = ENTITIES
) -> list[LandingFile]:
    """Every ``<landing_dir>/<source>/<entity>*.{csv,jsonl,parquet}``, sorted by name.

    Prefix matching is as the contract says; if another entity of the same source
    has a longer name that also matches (``orders`` vs ``orders_items``), the file
    belongs to the longer one so that no file is loaded twice.
    """
    folder = landing_dir / entity.source
    if not folder.is_dir():
        return []
    longer = [
        e.name
        for e in entities
        if e.source == entity.source and e.name != entity.name and e.name.startswith(entity.name)
    ]
    found = []
    for p in folder.iterdir():
        fmt = p.suffix.lower().lstrip(".")
        if not p.is_file() or fmt not in FORMATS or not p.name.startswith(entity.name):
            continue
        if any(p.name.startswith(n) for n in longer):
            continue
        found.append(LandingFile(p, p.relative_to(landing_dir).as_posix(), fmt))
    return sorted(found, key=lambda f: f.relpath)


@dataclass(frozen=True)
class FileScan:
    """One streaming pass over a file's bytes.

    Line numbers use universal newlines (LF, CRLF and lone CR each end a line), which is
    what editors show, and a final line without a terminator still counts.
    """

    sha256: str
    size: int
    line_count: int
    blank_lines: tuple[int, ...] = field(repr=False)
    mixed_newlines: bool  # strict CSV parsing fails on these: parse an LF-normalised copy
    has_cr_breaks: bool  # some line ends in CR (CRLF or lone CR)
    has_quote: bool  # contains '"' (without it no CSV field can span lines)
    has_nul: bool  # contains a NUL byte
    #: Some stretch of whole lines holds an odd number of quotes, so some line has an
    #: unbalanced one (a multi-line field or a stray quote). Only a hint for the CSV
    #: reader's order of work: stretches are ~CHUNK_BYTES, so two odd lines can cancel.
    odd_quotes: bool


def _iter_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            yield chunk


class _Normaliser:
    """Turns CRLF and lone CR into LF across chunk boundaries."""

    def __init__(self) -> None:
        self._pending_cr = False

    def __call__(self, chunk: bytes) -> bytes:
        if self._pending_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the CR ending the previous chunk was already emitted as LF
        self._pending_cr = chunk.endswith(b"\r")
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return chunk


def _blank_lines(norm: bytes, at_line_start: bool, lines_before: int) -> list[int]:
    """Numbers of the empty lines ended in ``norm`` (an LF-normalised chunk)."""
    if b"\n\n" not in norm and not (at_line_start and norm.startswith(b"\n")):
        return []  # the usual case: no numpy pass needed
    newlines = np.flatnonzero(np.frombuffer(norm, dtype=np.uint8) == _LF)
    # A line is blank when its LF directly follows the previous LF (or the file start).
    blank = np.empty(newlines.size, dtype=bool)
    blank[0] = newlines[0] == 0 and at_line_start
    blank[1:] = np.diff(newlines) == 1
    return (lines_before + 1 + np.flatnonzero(blank)).tolist()


def scan_file(path: Path) -> FileScan:
    digest = hashlib.sha256()
    size = lf = cr = crlf = 0
    lines_done = 0  # LF-terminated lines seen so far (after normalisation)
    at_line_start = True
    prev_raw_cr = has_quote = has_nul = odd_quotes = False
    quotes_pending = 0  # quotes after the last LF seen
    blanks: list[int] = []
    normalise = _Normaliser()
    # hashlib releases the GIL on large buffers: hash each chunk in a worker thread
    # while this thread counts lines in it, so the pass costs about one of the two.
    with ThreadPoolExecutor(max_workers=1) as hasher:
        for chunk in _iter_chunks(path):
            hashed = hasher.submit(digest.update, chunk)
            size += len(chunk)
            chunk_lf = chunk.count(b"\n")
            lf += chunk_lf
            if b"\r" in chunk or prev_raw_cr:
                cr += chunk.count(b"\r")
                crlf += chunk.count(b"\r\n") + (prev_raw_cr and chunk.startswith(b"\n"))
            prev_raw_cr = chunk.endswith(b"\r")
            if b'"' in chunk:
                has_quote = True
                odd_quotes, quotes_pending = _quote_parity(chunk, odd_quotes, quotes_pending)
            has_nul = has_nul or b"\x00" in chunk
            norm = normalise(chunk)
            if norm:
                blanks.extend(_blank_lines(norm, at_line_start, lines_done))
                lines_done += chunk_lf if norm is chunk else norm.count(b"\n")
                at_line_start = norm.endswith(b"\n")
            hashed.result()
    line_count = lines_done + (0 if at_line_start else 1)
    mixed = not (cr == 0 or lf == 0 or cr == crlf == lf)
    return FileScan(
        digest.hexdigest(),
        size,
        line_count,
        tuple(blanks),
        mixed,
        cr > 0,
        has_quote,
        has_nul,
        odd_quotes or quotes_pending % 2 == 1,
    )


def _quote_parity(chunk: bytes, odd: bool, pending: int) -> tuple[bool, int]:
    """Fold a chunk into (some stretch of whole lines had an odd quote count, quotes
    after the last LF). Counting is C speed; the lines themselves are never split."""
    cut = chunk.rfind(b"\n") + 1
    if not cut:  # no line ends in this chunk
        return odd, pending + chunk.count(b'"')
    head = chunk.count(b'"', 0, cut)
    return odd or (pending + head) % 2 == 1, chunk.count(b'"', cut)


def write_copy(src: Path, dst: Path, blank_out: Collection[int] = ()) -> None:
    """Copy ``src`` to ``dst`` with LF line endings, emptying the lines in ``blank_out``.

    The copy is what gets parsed when the original cannot be parsed strictly as is.
    Normalising always (not only for mixed files) keeps an emptied line of a CRLF file
    from turning into a lone LF. Emptying (not deleting) keeps every other line on its
    original line number, so rows parsed from the copy still point into the original.
    """
    targets = sorted(set(blank_out))
    normalise = _Normaliser()
    base = 0  # lines fully written so far
    carry = b""
    ti = 0
    with dst.open("wb") as out:
        for chunk in _iter_chunks(src):
            data = carry + normalise(chunk)
            cut = data.rfind(b"\n") + 1  # work on whole lines only
            block, carry = data[:cut], data[cut:]
            if not block:
                continue
            n_lines = block.count(b"\n")
            if ti < len(targets) and targets[ti] <= base + n_lines:
                # Locating the lines costs a numpy pass: only for blocks with targets in them.
                newlines = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == _LF)
                ti, block = _blank_in_block(block, newlines, base, targets, ti)
            out.write(block)
            base += n_lines
        if carry:
            if ti < len(targets) and targets[ti] == base + 1:
                carry = b""
            out.write(carry)


def _blank_in_block(
    block: bytes, newlines: np.ndarray, base: int, targets: list[int], ti: int
) -> tuple[int, bytes]:
    last = base + int(newlines.size)
    if ti >= len(targets) or targets[ti] > last:
        return ti, block
    parts = []
    pos = 0
    while ti < len(targets) and targets[ti] <= last:
        k = targets[ti] - base - 1  # index of the target line within this block
        start = 0 if k == 0 else int(newlines[k - 1]) + 1
        parts.append(block[pos:start])
        pos = int(newlines[k])  # keep the line's LF
        ti += 1
    parts.append(block[pos:])
    return ti, b"".join(parts)
