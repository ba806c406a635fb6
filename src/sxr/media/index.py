"""Exact radius search over 256-bit PDQ hashes: multi-index hashing in numpy, and the vPDQ index over it.

The 256 bits are cut into `m` chunks (three per 64-bit word by default: 21, 21 and 22 bits). By the
generalised pigeonhole principle, if two hashes differ in at most `r` bits then for thresholds t_i with
sum(t_i) >= r - m + 1 at least one chunk i differs in at most t_i bits (otherwise the total would be at
least sum(t_i + 1) > r). So probing every chunk value within t_i flips of the query's chunk finds every
hash within `r`: recall is 100% by construction, and each candidate is then verified exactly with a
popcount over four uint64 words.

The index is a small log-structured set of immutable segments plus an unsealed buffer that is searched
by brute force, so an added hash is matchable at once and nothing is ever rebuilt whole: full buffers
become segments, and four segments of the same size tier are merged into one. Removals are tombstones,
applied at once to every search and dropped for good when segments merge.

`PdqSignalIndex` and `VpdqFramesIndex` are these indexes as the PDQ and vPDQ hash types hand them out
(`MediaHashType.new_index`); the watchlist's NOTES.md has the measurements.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sxr.media.signal import FramesIndex, FramesMatch, SignalIndex

PDQ_BITS = 256
WORDS = PDQ_BITS // 64
DEFAULT_RADIUS = 31
VPDQ_QUALITY_THRESHOLD = 50
VPDQ_QUERY_MATCH_PERCENT = 80.0
VPDQ_COMPARED_MATCH_PERCENT = 0.0

Codes = npt.NDArray[np.uint64]
Labels = npt.NDArray[np.int64]

# Tables of bucket offsets are direct arrays up to this many key bits; wider chunks use binary search.
_MAX_TABLE_BITS = 24
# Segments at least this big use 23-24 bit chunks.
_WIDEST_CHUNKS_FROM = 1 << 22
# Probes per pass through a segment: blocks of queries this small keep the temporary arrays and the
# cache lines they gather in the core's own cache (measured at 10M: 4,800 queries/s on one core with
# blocks of 16-32 queries, 2,900 with 48-256).
_PROBES_PER_BLOCK = 1 << 16
# Batches are split over this many threads, in blocks of at least _MIN_THREAD_BLOCK queries.
_THREADS = max(1, min(os.cpu_count() or 1, 8))
_MIN_THREAD_BLOCK = 16


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="sxr-pdq")


def hex_to_codes(hexes: Sequence[str]) -> Codes:
    """PDQ hex strings (64 hex digits each) as an (n, 4) uint64 array; raises ValueError on bad input."""
    if len(hexes) == 0:
        return np.zeros((0, WORDS), dtype=np.uint64)
    for value in hexes:
        if len(value) != PDQ_BITS // 4:
            raise ValueError(f"a PDQ hash has 64 hex digits, not {len(value)}")
    try:
        raw = bytes.fromhex("".join(hexes))
    except ValueError as exc:
        raise ValueError("a PDQ hash may contain only the hex digits 0-9 and a-f") from exc
    return np.frombuffer(raw, dtype=">u8").reshape(-1, WORDS).astype(np.uint64)


def codes_to_hex(codes: Codes) -> list[str]:
    """The inverse of `hex_to_codes`."""
    raw = np.ascontiguousarray(codes, dtype=">u8").tobytes()
    return [raw[i : i + 32].hex() for i in range(0, len(raw), 32)]


def hamming(a: Codes, b: Codes) -> npt.NDArray[np.int64]:
    """Row-wise Hamming distances between two (n, 4) code arrays (or one row broadcast)."""
    return np.bitwise_count(np.bitwise_xor(a, b)).sum(axis=-1, dtype=np.int64)


@dataclass(frozen=True)
class Chunk:
    """Bits [start, start + bits) of the 256 (they may span two words), probed within `threshold` flips."""

    start: int
    bits: int
    threshold: int
    flips: npt.NDArray[np.uint32] = field(repr=False, compare=False)

    @property
    def word(self) -> int:
        return self.start // 64

    def keys(self, codes: Codes) -> npt.NDArray[np.uint32]:
        shift = self.start % 64
        low = codes[:, self.word] >> np.uint64(shift)
        if shift + self.bits > 64:
            low = low | (codes[:, self.word + 1] << np.uint64(64 - shift))
        return (low & np.uint64((1 << self.bits) - 1)).astype(np.uint32)


def _flip_masks(bits: int, threshold: int) -> npt.NDArray[np.uint32]:
    masks = [0]
    for k in range(1, threshold + 1):
        for positions in itertools.combinations(range(bits), k):
            masks.append(sum(1 << p for p in positions))
    return np.array(masks, dtype=np.uint32)


def plan_chunks(radius: int, n_chunks: int = 12) -> list[Chunk]:
    """Cut 256 bits into chunks and give each a flip threshold whose sum guarantees 100% recall."""
    if not 0 <= radius < PDQ_BITS:
        raise ValueError("the radius must be between 0 and 255")
    if not 8 <= n_chunks <= 32:
        raise ValueError("between 8 and 32 chunks")
    sizes = [PDQ_BITS // n_chunks] * n_chunks
    for i in range(PDQ_BITS - sum(sizes)):
        sizes[-1 - i] += 1
    starts = [sum(sizes[:i]) for i in range(n_chunks)]
    needed = max(radius - n_chunks + 1, 0)
    base, extra = divmod(needed, n_chunks)
    # The extra flips go to the widest chunks: they add the fewest candidates per probe.
    order = sorted(range(n_chunks), key=lambda i: -sizes[i])
    thresholds = [base] * n_chunks
    for i in order[:extra]:
        thresholds[i] += 1
    return [
        Chunk(start=a, bits=b, threshold=t, flips=_flip_masks(b, t))
        for a, b, t in zip(starts, sizes, thresholds, strict=True)
    ]


@functools.cache
def _plan(radius: int, n_chunks: int) -> list[Chunk]:
    return plan_chunks(radius, n_chunks)


def _chunks_for(size: int) -> int:
    """About as many buckets per chunk as hashes: few candidates, tables that fit in memory."""
    if size < 1 << 19:
        return 16  # 16-bit chunks
    if size < _WIDEST_CHUNKS_FROM:
        return 12  # 21-22 bits
    return 11  # 23-24 bits


class _Segment:
    """An immutable run of hashes with the inverted lists of every chunk, and a tombstone mask.

    The lists of all chunks share one `order` array (chunk c's positions sorted by chunk value occupy
    order[c * n : (c + 1) * n]) and one bucket table, so a batch probes every chunk in one vectorised
    pass instead of one pass per chunk.
    """

    def __init__(self, codes: Codes, labels: Labels, radius: int, *, build: bool = True) -> None:
        self.codes = np.ascontiguousarray(codes, dtype=np.uint64)
        self.labels = np.ascontiguousarray(labels, dtype=np.int64)
        self.alive = np.ones(len(codes), dtype=bool)
        self.chunks = _plan(radius, _chunks_for(len(codes)))
        n, m = len(codes), len(self.chunks)
        # Queries per block: small enough that a block's probes and candidates stay in the core's cache.
        probes_per_query = sum(len(c.flips) for c in self.chunks)
        self.block = min(max(_PROBES_PER_BLOCK // probes_per_query, 8), 256)
        self.use_table = all(c.bits <= _MAX_TABLE_BITS and n >= (1 << c.bits) // 64 for c in self.chunks)
        self.slot_type = np.uint32 if m * n < 2**32 else np.uint64
        self.bases: list[int] = []
        self.offsets: npt.NDArray[Any] | None = None
        self.sorted_keys: npt.NDArray[np.uint64] | None = None
        if build:
            self._build()
        else:  # `attach` gives the arrays a snapshot holds
            base = 0
            for c, chunk in enumerate(self.chunks):
                self.bases.append(base if self.use_table else c << 32)
                base += (1 << chunk.bits) + 1

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The segment's arrays for a snapshot (the tombstones copied: they change)."""
        extra = {"offsets": self.offsets} if self.offsets is not None else {"sorted_keys": self.sorted_keys}
        return {
            "codes": self.codes,
            "labels": self.labels,
            "alive": self.alive.copy(),
            "order": self.order,
            **{k: v for k, v in extra.items() if v is not None},
        }

    @classmethod
    def attach(cls, arrays: dict[str, npt.NDArray[Any]], radius: int) -> _Segment:
        """A segment over a snapshot's arrays (read-only, perhaps memory-mapped); ValueError if they do
        not fit together."""
        codes, labels, alive = arrays["codes"], arrays["labels"], arrays["alive"]
        n = len(codes)
        if (
            codes.dtype != np.uint64
            or codes.shape != (n, WORDS)
            or labels.shape != (n,)
            or alive.shape != (n,)
        ):
            raise ValueError("a segment's hashes, labels and tombstones do not fit together")
        segment = cls(codes, labels, radius, build=False)
        m = len(segment.chunks)
        order = arrays["order"]
        if order.dtype != segment.slot_type or order.shape != (m * n,):
            raise ValueError("a segment's inverted lists do not fit its hashes")
        if segment.use_table:
            offsets = arrays.get("offsets")
            wanted = sum((1 << c.bits) + 1 for c in segment.chunks)
            if offsets is None or offsets.dtype != segment.slot_type or offsets.shape != (wanted,):
                raise ValueError("a segment's bucket table does not fit its hashes")
            if n and int(offsets[-1]) != m * n:
                raise ValueError("a segment's bucket table does not end where its lists do")
            segment.offsets = offsets
        else:
            keys = arrays.get("sorted_keys")
            if keys is None or keys.dtype != np.uint64 or keys.shape != (m * n,):
                raise ValueError("a segment's sorted keys do not fit its hashes")
            segment.sorted_keys = keys
        segment.order = order
        segment.alive = np.array(alive, dtype=bool)  # a writable copy: removals mark it
        return segment

    def _build(self) -> None:
        n, m = len(self.codes), len(self.chunks)
        slot_type = self.slot_type
        self.order = np.empty(m * n, dtype=slot_type)
        # Where chunk c's keys start in the shared table (table) or its tag in the high bits (search).
        if self.use_table:
            self.offsets = np.empty(sum((1 << c.bits) + 1 for c in self.chunks), dtype=slot_type)
        else:
            self.sorted_keys = np.empty(m * n, dtype=np.uint64)
        base = 0
        for c, chunk in enumerate(self.chunks):
            keys = chunk.keys(self.codes)
            order = np.argsort(keys, kind="stable")
            self.order[c * n : (c + 1) * n] = order
            if self.offsets is not None:
                self.bases.append(base)
                table = self.offsets[base : base + (1 << chunk.bits) + 1]
                table[0] = c * n
                np.cumsum(np.bincount(keys, minlength=1 << chunk.bits), out=table[1:])
                table[1:] += c * n
                base += (1 << chunk.bits) + 1
            else:
                assert self.sorted_keys is not None
                self.bases.append(c << 32)
                self.sorted_keys[c * n : (c + 1) * n] = keys[order].astype(np.uint64) | np.uint64(c << 32)

    def __len__(self) -> int:
        return len(self.codes)

    def _probes(self, block: Codes) -> tuple[npt.NDArray[Any], int]:
        """Every probe key of every chunk for each query, as one (queries, probes) array."""
        parts = []
        for chunk, base in zip(self.chunks, self.bases, strict=True):
            keys = chunk.keys(block).astype(np.int64)
            parts.append((keys[:, None] ^ chunk.flips[None, :].astype(np.int64)) + base)
        probes = np.concatenate(parts, axis=1)
        return probes, probes.shape[1]

    def _search_block(
        self, block: Codes, radius: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[Any]]:
        """(query index in the block, position, distance) of every hash within `radius`, duplicates kept."""
        probes, per_query = self._probes(block)
        probes = probes.ravel()
        if self.offsets is not None:
            starts = self.offsets.take(probes)
            lengths = self.offsets.take(probes + 1)
            lengths -= starts
        else:
            assert self.sorted_keys is not None
            wanted = probes.astype(np.uint64)
            starts = np.searchsorted(self.sorted_keys, wanted, side="left")
            lengths = np.searchsorted(self.sorted_keys, wanted, side="right") - starts
        hit = np.flatnonzero(lengths)
        nothing = np.zeros(0, dtype=np.int64)
        if len(hit) == 0:
            return nothing, nothing, nothing
        # Widen only the probes that hit something: most do not.
        first = starts.take(hit).astype(np.int64)
        lengths = lengths.take(hit).astype(np.int64)
        ends = np.cumsum(lengths)
        total = int(ends[-1])
        first -= ends - lengths
        slots = np.repeat(first, lengths)
        slots += np.arange(total, dtype=np.int64)
        positions = self.order.take(slots).astype(np.int64)
        # Probes are laid out query by query, so each query's candidates are one run of `slots`.
        bounds = np.searchsorted(hit, np.arange(len(block) + 1) * per_query)
        cumulative = np.where(bounds > 0, ends.take(bounds - 1), 0)
        qi = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(cumulative))
        # Words 0 and 1 first, fetched together as one 16-byte item (one random read per candidate, where
        # a take per word reads every candidate's cache line twice): together they rule out nearly every
        # wrong candidate (word 0 alone only about a third), so words 2 and 3 are read for few rows.
        pair = self.codes.view(np.complex128).reshape(-1).take(positions * 2).view(np.uint64).reshape(-1, 2)
        pair[:, 0] ^= block[:, 0].take(qi)
        pair[:, 1] ^= block[:, 1].take(qi)
        counts = np.bitwise_count(pair)
        dist = counts[:, 0] + counts[:, 1]
        near = np.flatnonzero(dist <= radius)
        positions, qi, dist = positions.take(near), qi.take(near), dist.take(near)
        rest = self.codes.take(positions, axis=0)[:, 2:] ^ block.take(qi, axis=0)[:, 2:]
        dist = dist.astype(np.uint16) + np.bitwise_count(rest).sum(axis=1, dtype=np.uint16)
        near = np.flatnonzero(dist <= radius)
        return qi.take(near), positions.take(near), dist.take(near)

    def search(
        self, queries: Codes, radius: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(query index, position, distance) of every live hash within `radius` of each query."""
        n_blocks = -(-len(queries) // self.block)
        if len(queries) >= 2 * _MIN_THREAD_BLOCK:
            # Enough queries for every core: numpy releases the GIL in takes, ufuncs and repeats.
            n_blocks = max(n_blocks, min(_THREADS, len(queries) // _MIN_THREAD_BLOCK))
        size = -(-len(queries) // max(n_blocks, 1))
        los = list(range(0, len(queries), size))
        blocks = [queries[lo : lo + size] for lo in los]
        if len(blocks) > 1 and _THREADS > 1:
            parts = list(_pool().map(lambda b: self._search_block(b, radius), blocks))
        else:
            parts = [self._search_block(b, radius) for b in blocks]
        found = [(q + lo, p, d) for lo, (q, p, d) in zip(los, parts, strict=True) if len(q)]
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        q = np.concatenate([f[0] for f in found])
        p = np.concatenate([f[1] for f in found])
        d = np.concatenate([f[2] for f in found]).astype(np.int64)
        # A near hash is usually found through several chunks: keep it once.
        _, first_seen = np.unique(q * len(self.codes) + p, return_index=True)
        q, p, d = q[first_seen], p[first_seen], d[first_seen]
        live = self.alive[p]
        return q[live], p[live], d[live]

    @property
    def nbytes(self) -> int:
        extra = self.offsets if self.offsets is not None else self.sorted_keys
        return int(
            self.codes.nbytes
            + self.labels.nbytes
            + self.alive.nbytes
            + self.order.nbytes
            + (extra.nbytes if extra is not None else 0)
        )


@dataclass
class SearchResult:
    """Flat results of a batch search: row k says query `query[k]` matched `label[k]` at `distance[k]`."""

    query: npt.NDArray[np.int64]
    label: npt.NDArray[np.int64]
    distance: npt.NDArray[np.int64]

    def per_query(self, n_queries: int) -> list[list[tuple[int, int]]]:
        """For each query, its (label, distance) pairs, nearest first."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(n_queries)]
        order = np.lexsort((self.label, self.distance, self.query))
        for q, label, d in zip(
            self.query[order].tolist(), self.label[order].tolist(), self.distance[order].tolist(), strict=True
        ):
            out[q].append((label, d))
        return out


class PDQIndex:
    """Exact radius search over 256-bit hashes with incremental adds and removals."""

    def __init__(self, radius: int = DEFAULT_RADIUS, buffer_size: int = 2048):
        _plan(radius, 12)  # validates the radius
        self.radius = radius
        self.buffer_size = buffer_size
        self._segments: list[_Segment] = []
        self._buffer_codes: list[Codes] = []
        self._buffer_labels: list[Labels] = []
        self._buffer_len = 0
        self._lock = threading.RLock()

    def __len__(self) -> int:
        with self._lock:
            return int(sum(int(s.alive.sum()) for s in self._segments) + self._buffer_len)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays."""
        with self._lock:
            return sum(s.nbytes for s in self._segments) + self._buffer_len * (WORDS * 8 + 8)

    @property
    def segment_sizes(self) -> list[int]:
        with self._lock:
            return [len(s) for s in self._segments]

    def add(self, codes: Codes, labels: Labels | Sequence[int]) -> None:
        """Add hashes with their labels; they are matchable as soon as this returns."""
        codes = np.ascontiguousarray(codes, dtype=np.uint64).reshape(-1, WORDS)
        label_array = np.asarray(labels, dtype=np.int64).reshape(-1)
        if len(codes) != len(label_array):
            raise ValueError("one label is needed for each hash")
        if len(codes) == 0:
            return
        if len(codes) >= self.buffer_size:
            # A bulk load becomes its own segment at once; no point in passing through the buffer.
            segment = _Segment(codes, label_array, self.radius)
            with self._lock:
                self._segments.append(segment)
                self._merge_tiers()
            return
        with self._lock:
            self._buffer_codes.append(codes)
            self._buffer_labels.append(label_array)
            self._buffer_len += len(codes)
            if self._buffer_len >= self.buffer_size:
                self._seal()

    def remove(self, labels: Iterable[int]) -> int:
        """Stop matching every hash with one of these labels at once; returns how many were removed."""
        gone = np.asarray(list(labels), dtype=np.int64)
        if len(gone) == 0:
            return 0
        removed = 0
        with self._lock:
            for segment in self._segments:
                hit = np.isin(segment.labels, gone) & segment.alive
                if hit.any():
                    removed += int(hit.sum())
                    segment.alive[hit] = False
            kept_codes, kept_labels = [], []
            for codes, label_array in zip(self._buffer_codes, self._buffer_labels, strict=True):
                keep = ~np.isin(label_array, gone)
                removed += int((~keep).sum())
                if keep.any():
                    kept_codes.append(codes[keep])
                    kept_labels.append(label_array[keep])
            self._buffer_codes, self._buffer_labels = kept_codes, kept_labels
            self._buffer_len = sum(len(c) for c in kept_codes)
        return removed

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every segment's arrays (`seg<i>.<name>`) and the unsealed buffer, for a snapshot."""
        with self._lock:
            out: dict[str, npt.NDArray[Any]] = {}
            for i, segment in enumerate(self._segments):
                for name, array in segment.arrays().items():
                    out[f"seg{i}.{name}"] = array
            out["buffer.codes"] = (
                np.concatenate(self._buffer_codes) if self._buffer_codes else np.zeros((0, WORDS), np.uint64)
            )
            out["buffer.labels"] = (
                np.concatenate(self._buffer_labels) if self._buffer_labels else np.zeros(0, np.int64)
            )
        return out

    def load_arrays(self, arrays: dict[str, npt.NDArray[Any]]) -> None:
        """Take `to_arrays`' arrays (memory-mapped as they are); ValueError when they do not fit."""
        segments = []
        i = 0
        while f"seg{i}.codes" in arrays:
            prefix = f"seg{i}."
            parts = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            segments.append(_Segment.attach(parts, self.radius))
            i += 1
        codes = np.asarray(arrays.get("buffer.codes", np.zeros((0, WORDS), np.uint64)))
        labels = np.asarray(arrays.get("buffer.labels", np.zeros(0, np.int64)))
        if codes.dtype != np.uint64 or codes.shape != (len(labels), WORDS) or labels.dtype != np.int64:
            raise ValueError("the snapshot's unsealed hashes do not fit their labels")
        with self._lock:
            self._segments.extend(segments)
        if len(labels):
            self.add(np.array(codes), np.array(labels))

    def search(self, queries: Codes, radius: int | None = None) -> SearchResult:
        """Every live hash within `radius` (the index's radius at most) of each query, in one batch."""
        radius = self.radius if radius is None else radius
        if radius > self.radius:
            raise ValueError(f"this index guarantees recall only up to distance {self.radius}")
        queries = np.ascontiguousarray(queries, dtype=np.uint64).reshape(-1, WORDS)
        with self._lock:
            segments = list(self._segments)
            buffer = (
                (np.concatenate(self._buffer_codes), np.concatenate(self._buffer_labels))
                if self._buffer_codes
                else None
            )
        qs, ls, ds = [], [], []
        for segment in segments:
            q, p, d = segment.search(queries, radius)
            qs.append(q)
            ls.append(segment.labels[p])
            ds.append(d)
        if buffer is not None:
            codes, label_array = buffer
            for lo in range(0, len(queries), 64):
                dist = hamming(queries[lo : lo + 64, None, :], codes[None, :, :])
                q, p = np.nonzero(dist <= radius)
                qs.append(q.astype(np.int64) + lo)
                ls.append(label_array[p])
                ds.append(dist[q, p])
        if not qs:
            empty = np.zeros(0, dtype=np.int64)
            return SearchResult(empty, empty, empty)
        return SearchResult(np.concatenate(qs), np.concatenate(ls), np.concatenate(ds))

    def search_dihedral(self, variants: Sequence[Codes], radius: int | None = None) -> SearchResult:
        """Search each query given as its (up to 8) dihedral hashes; a label's nearest variant counts."""
        sizes = [len(v) for v in variants]
        if not sizes:
            empty = np.zeros(0, dtype=np.int64)
            return SearchResult(empty, empty, empty)
        flat = np.concatenate([np.asarray(v, dtype=np.uint64).reshape(-1, WORDS) for v in variants])
        owner = np.repeat(np.arange(len(variants), dtype=np.int64), sizes)
        result = self.search(flat, radius)
        q = owner[result.query]
        order = np.lexsort((result.distance, result.label, q))
        q, label, d = q[order], result.label[order], result.distance[order]
        first = np.ones(len(q), dtype=bool)
        first[1:] = (q[1:] != q[:-1]) | (label[1:] != label[:-1])
        return SearchResult(q[first], label[first], d[first])

    def _seal(self) -> None:
        codes = np.concatenate(self._buffer_codes)
        label_array = np.concatenate(self._buffer_labels)
        self._buffer_codes, self._buffer_labels, self._buffer_len = [], [], 0
        self._segments.append(_Segment(codes, label_array, self.radius))
        self._merge_tiers()

    def _tier(self, segment: _Segment) -> int:
        return max(int(np.log(max(len(segment), 1) / self.buffer_size) / np.log(4)), 0)

    def _merge_tiers(self) -> None:
        while True:
            by_tier: dict[int, list[_Segment]] = {}
            for segment in self._segments:
                by_tier.setdefault(self._tier(segment), []).append(segment)
            full = [group for group in by_tier.values() if len(group) >= 4]
            if not full:
                return
            group = full[0][:4]
            codes = np.concatenate([s.codes[s.alive] for s in group])
            label_array = np.concatenate([s.labels[s.alive] for s in group])
            merged = _Segment(codes, label_array, self.radius)
            self._segments = [s for s in self._segments if all(s is not g for g in group)] + [merged]


def unique_good_frames(codes: Codes, qualities: Sequence[int], quality_threshold: int) -> Codes:
    """The distinct frame hashes of good enough quality (upstream vPDQ drops the rest before matching)."""
    good = np.asarray(qualities, dtype=np.int64) >= quality_threshold
    kept = np.ascontiguousarray(np.asarray(codes, dtype=np.uint64).reshape(-1, WORDS)[good])
    if len(kept) == 0:
        return kept
    return np.unique(kept, axis=0)


class VPDQIndex:
    """Video matching as upstream vPDQ: frames within distance, the % of each side's frames matched."""

    def __init__(
        self,
        distance: int = DEFAULT_RADIUS,
        quality_threshold: int = VPDQ_QUALITY_THRESHOLD,
        query_match_percent: float = VPDQ_QUERY_MATCH_PERCENT,
        compared_match_percent: float = VPDQ_COMPARED_MATCH_PERCENT,
    ) -> None:
        self.distance = distance
        self.quality_threshold = quality_threshold
        self.query_match_percent = query_match_percent
        self.compared_match_percent = compared_match_percent
        self._frames = PDQIndex(radius=distance, buffer_size=512)
        self._frame_owner: dict[int, int] = {}
        self._frames_of: dict[int, list[int]] = {}
        self._next_frame = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._frames_of)

    def add(self, label: int, codes: Codes, qualities: Sequence[int]) -> None:
        """Index a video's distinct good frames under `label`."""
        frames = unique_good_frames(codes, qualities, self.quality_threshold)
        with self._lock:
            if label in self._frames_of:
                return  # held already (a change applied twice must not count its frames twice)
            ids = list(range(self._next_frame, self._next_frame + len(frames)))
            self._next_frame += len(frames)
            for frame_id in ids:
                self._frame_owner[frame_id] = label
            self._frames_of.setdefault(label, []).extend(ids)
        self._frames.add(frames, ids)

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every held video's distinct good frames (`codes`) and whose they are (`owners`)."""
        with self._lock:
            held = [(label, list(ids)) for label, ids in self._frames_of.items()]
        frame_ids = [i for _, ids in held for i in ids]
        owners = np.array([label for label, ids in held for _ in ids], dtype=np.int64)
        lookup = self._frames.to_arrays()
        codes_by_id: dict[int, Codes] = {}
        for key in [k for k in lookup if k.endswith(".labels")]:
            codes = lookup[key[: -len("labels")] + "codes"]
            alive = lookup.get(key[: -len("labels")] + "alive")
            for row, frame_id in enumerate(lookup[key].tolist()):
                if alive is None or alive[row]:
                    codes_by_id[frame_id] = codes[row]
        stacked = np.array([codes_by_id[i] for i in frame_ids], dtype=np.uint64).reshape(-1, WORDS)
        # Videos without a usable frame are kept too (they match nothing, but count as held).
        empty = np.array([label for label, ids in held if not ids], dtype=np.int64)
        return {"codes": stacked, "owners": owners, "empty": empty}

    def load_arrays(self, arrays: dict[str, npt.NDArray[Any]]) -> None:
        codes, owners = np.asarray(arrays["codes"]), np.asarray(arrays["owners"])
        if codes.shape != (len(owners), WORDS) or codes.dtype != np.uint64:
            raise ValueError("the snapshot's video frames do not fit their owners")
        order = np.argsort(owners, kind="stable")
        owners, codes = owners[order], codes[order]
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
        bounds = [*starts.tolist(), len(owners)]
        for lo, hi in itertools.pairwise(bounds):
            self.add(int(owners[lo]), codes[lo:hi], [100] * (hi - lo))
        for label in np.asarray(arrays.get("empty", np.zeros(0, np.int64))).tolist():
            self.add(int(label), np.zeros((0, WORDS), np.uint64), [])

    def remove(self, label: int) -> None:
        with self._lock:
            ids = self._frames_of.pop(label, [])
            for frame_id in ids:
                self._frame_owner.pop(frame_id, None)
        self._frames.remove(ids)

    def match(self, codes: Codes, qualities: Sequence[int]) -> list[FramesMatch]:
        """Compared videos whose matched share passes both thresholds, best first."""
        query = unique_good_frames(codes, qualities, self.quality_threshold)
        if len(query) == 0:
            return []
        result = self._frames.search(query, self.distance)
        query_frames: dict[int, set[int]] = {}
        compared_frames: dict[int, set[int]] = {}
        for q, frame_id in zip(result.query.tolist(), result.label.tolist(), strict=True):
            owner = self._frame_owner.get(frame_id)
            if owner is None:
                continue
            query_frames.setdefault(owner, set()).add(q)
            compared_frames.setdefault(owner, set()).add(frame_id)
        matches = []
        for owner, matched in query_frames.items():
            total = len(self._frames_of.get(owner, ())) or 1
            q_pct = 100.0 * len(matched) / len(query)
            c_pct = 100.0 * len(compared_frames[owner]) / total
            if q_pct >= self.query_match_percent and c_pct >= self.compared_match_percent:
                matches.append(FramesMatch(owner, q_pct, c_pct))
        return sorted(matches, key=lambda m: (-m.query_match_percent, -m.compared_match_percent, m.label))


class PdqSignalIndex(SignalIndex):
    """PDQ hashes in hex, searched exactly within the threshold; a query may bring its dihedral variants."""

    def __init__(self, threshold: int) -> None:
        self.codes = PDQIndex(radius=threshold)

    def __len__(self) -> int:
        return len(self.codes)

    def add(self, values: Sequence[str], labels: Sequence[int]) -> None:
        self.codes.add(hex_to_codes(values), list(labels))

    def remove(self, values: Sequence[str], labels: Sequence[int]) -> None:
        self.codes.remove(labels)

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        return self.codes.to_arrays()

    def load_arrays(self, arrays: Mapping[str, Any]) -> None:
        self.codes.load_arrays(dict(arrays))

    def search(self, queries: Sequence[Sequence[str]]) -> list[list[tuple[int, int]]]:
        if not queries:
            return []
        result = self.codes.search_dihedral([hex_to_codes(list(variants)) for variants in queries])
        return result.per_query(len(queries))


class VpdqFramesIndex(FramesIndex):
    """Videos as lists of PDQ frame hashes, matched as upstream vPDQ does."""

    def __init__(self, threshold: int, quality_floor: int) -> None:
        self.videos = VPDQIndex(distance=threshold, quality_threshold=quality_floor)

    def __len__(self) -> int:
        return len(self.videos)

    def add(self, label: int, frames: Sequence[tuple[str, int]]) -> None:
        self.videos.add(label, hex_to_codes([h for h, _ in frames]), [q for _, q in frames])

    def remove(self, label: int) -> None:
        self.videos.remove(label)

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        return self.videos.to_arrays()

    def load_arrays(self, arrays: Mapping[str, Any]) -> None:
        self.videos.load_arrays(dict(arrays))

    def match(self, frames: Sequence[tuple[str, int]]) -> list[FramesMatch]:
        return self.videos.match(hex_to_codes([h for h, _ in frames]), [q for _, q in frames])
