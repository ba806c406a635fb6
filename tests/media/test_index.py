"""The index: 100% recall within the radius, nothing beyond it, incremental adds and removals."""

from __future__ import annotations

import numpy as np
import pytest

from sxr.media import index as index_module
from sxr.media.index import (
    PDQIndex,
    VPDQIndex,
    codes_to_hex,
    hamming,
    hex_to_codes,
    plan_chunks,
)
from sxr.media.signal import ExactIndex


def flip_bits(code: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """`code` with exactly `count` distinct bits flipped."""
    out = code.copy()
    for bit in rng.choice(256, size=count, replace=False):
        out[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out


def clustered_corpus(n: int, rng: np.random.Generator) -> np.ndarray:
    """Families of near-duplicates around shared bases, as real PDQ banks are (not uniform noise)."""
    bases = rng.integers(0, 2**64, size=(max(n // 20, 1), 4), dtype=np.uint64)
    corpus = bases[rng.integers(0, len(bases), size=n)]
    noise = rng.random((n, 256)) < 0.08
    masks = np.packbits(noise, axis=1).view(">u8").astype(np.uint64)
    return corpus ^ masks


@pytest.mark.parametrize(
    ("corpus_size", "n_chunks"),
    [(1_500, None), (1_500, 11), (40_000, None), (60_000, 12)],
    ids=["16bit-small", "24bit-straddling-search", "16bit-table", "21bit-table"],
)
def test_every_planted_neighbour_within_31_is_found_and_none_beyond(
    corpus_size: int, n_chunks: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if n_chunks is not None:
        monkeypatch.setattr(index_module, "_chunks_for", lambda size: n_chunks)
    rng = np.random.default_rng(corpus_size)
    corpus = clustered_corpus(corpus_size, rng)
    index = PDQIndex(radius=31, buffer_size=2048)
    index.add(corpus, np.arange(corpus_size))
    # Planted: for each distance 0..40, several queries at exactly that distance from a far-off target.
    targets = rng.integers(0, 2**64, size=(41 * 6, 4), dtype=np.uint64)
    labels = np.arange(10**7, 10**7 + len(targets))
    index.add(targets, labels)
    distances = np.repeat(np.arange(41), 6)
    queries = np.stack([flip_bits(t, int(d), rng) for t, d in zip(targets, distances, strict=True)])
    assert (hamming(queries, targets) == distances).all()
    per_query = index.search(queries).per_query(len(queries))
    for q, (label, d) in enumerate(zip(labels, distances, strict=True)):
        found = dict(per_query[q])
        if d <= 31:
            assert found.get(int(label)) == d, f"missed the neighbour at distance {d}"
        else:
            assert int(label) not in found, f"reported a hash at distance {d}"
    # Brute force agrees on everything returned, corpus included.
    for q in range(0, len(queries), 37):
        exact = hamming(queries[q], np.concatenate([corpus, targets]))
        expected = set(np.nonzero(exact <= 31)[0].tolist())
        all_labels = np.concatenate([np.arange(corpus_size), labels])
        assert {label for label, _ in per_query[q]} == {int(all_labels[i]) for i in expected}


def test_chunk_plan_satisfies_the_pigeonhole_bound_for_every_radius() -> None:
    for radius in range(0, 41):
        for n_chunks in (11, 12, 16):
            chunks = plan_chunks(radius, n_chunks)
            assert sum(c.bits for c in chunks) == 256
            assert sum(c.threshold for c in chunks) >= radius - len(chunks) + 1


def test_adds_match_at_once_and_removals_stop_matching_at_once() -> None:
    rng = np.random.default_rng(7)
    index = PDQIndex(buffer_size=64)
    codes = rng.integers(0, 2**64, size=(1000, 4), dtype=np.uint64)
    for lo in range(0, 1000, 10):  # many small adds: buffer, sealed segments, merges
        index.add(codes[lo : lo + 10], np.arange(lo, lo + 10))
        probe = flip_bits(codes[lo + 3], 20, rng)[None, :]
        assert (lo + 3) in index.search(probe).label.tolist()
    assert len(index.segment_sizes) < 10, "small segments should have been merged"
    assert len(index) == 1000
    gone = [5, 500, 999]
    assert index.remove(gone) == 3
    result = index.search(codes)
    assert set(result.label.tolist()) == set(range(1000)) - set(gone)
    index.add(codes[[5]], [5])
    assert 5 in index.search(codes[[5]]).label.tolist()


def test_radius_beyond_the_guarantee_is_refused() -> None:
    index = PDQIndex(radius=31)
    with pytest.raises(ValueError, match="recall"):
        index.search(np.zeros((1, 4), dtype=np.uint64), radius=32)


def test_hex_round_trip_and_bad_hex() -> None:
    value = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    assert codes_to_hex(hex_to_codes([value])) == [value]
    with pytest.raises(ValueError, match="64 hex"):
        hex_to_codes(["abc"])
    with pytest.raises(ValueError, match="hex digits"):
        hex_to_codes(["z" * 64])


def test_dihedral_query_takes_the_nearest_variant() -> None:
    rng = np.random.default_rng(3)
    banked = rng.integers(0, 2**64, size=(1, 4), dtype=np.uint64)
    index = PDQIndex()
    index.add(banked, [42])
    variants = np.stack([rng.integers(0, 2**64, size=4, dtype=np.uint64) for _ in range(7)] + [banked[0]])
    result = index.search_dihedral([variants])
    assert result.label.tolist() == [42]
    assert result.distance.tolist() == [0]


def test_exact_index() -> None:
    index = ExactIndex()
    digest = "d41d8cd98f00b204e9800998ecf8427e"
    index.add([digest, digest], [1, 2])
    assert index.search([[digest], ["0" * 32]]) == [[(1, 0), (2, 0)], []]
    index.remove([digest], [1])
    assert index.search([[digest]]) == [[(2, 0)]]


def test_vpdq_percentages_as_upstream() -> None:
    rng = np.random.default_rng(11)
    video = rng.integers(0, 2**64, size=(10, 4), dtype=np.uint64)
    index = VPDQIndex()
    index.add(7, video, [100] * 10)
    # A clip of 8 of its frames, slightly changed, plus 2 unrelated frames and one poor-quality frame.
    clip = np.stack([flip_bits(f, 10, rng) for f in video[:8]])
    extra = rng.integers(0, 2**64, size=(3, 4), dtype=np.uint64)
    query = np.concatenate([clip, extra])
    matches = index.match(query, [100] * 10 + [10])
    assert len(matches) == 1
    assert matches[0].label == 7
    assert matches[0].query_match_percent == pytest.approx(80.0)
    assert matches[0].compared_match_percent == pytest.approx(80.0)
    # With 3 unrelated frames only 8 of 11 match: below upstream's 80% query threshold.
    assert index.match(query, [100] * 11) == []
    index.remove(7)
    assert index.match(clip, [100] * 8) == []


def test_threaded_batches_find_exactly_what_single_queries_find(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    corpus = clustered_corpus(60_000, rng)
    index = PDQIndex(radius=31)
    index.add(corpus, np.arange(len(corpus)))
    # Near copies at every distance 0..40 of corpus members, so most queries have several matches.
    picks = rng.integers(0, len(corpus), size=300)
    queries = np.stack([flip_bits(corpus[i], int(i % 41), rng) for i in picks])

    def rows(result: index_module.SearchResult) -> list[tuple[int, int, int]]:
        return sorted(
            zip(result.query.tolist(), result.label.tolist(), result.distance.tolist(), strict=True)
        )

    monkeypatch.setattr(index_module, "_THREADS", 1)
    one_thread = rows(index.search(queries))
    monkeypatch.setattr(index_module, "_THREADS", 4)
    four_threads = rows(index.search(queries))
    singles = sorted(
        (q, label, d) for q in range(len(queries)) for _, label, d in rows(index.search(queries[q : q + 1]))
    )
    assert one_thread == four_threads == singles
    assert sum(1 for q, label, _ in one_thread if label == picks[q]) == sum(1 for i in picks if i % 41 <= 31)


def _saved_and_mapped(arrays: dict[str, np.ndarray], folder: object) -> dict[str, np.ndarray]:
    from pathlib import Path

    out = {}
    for name, array in arrays.items():
        path = Path(str(folder)) / f"{name}.npy"
        np.save(path, array, allow_pickle=False)
        out[name] = np.load(path, mmap_mode="r", allow_pickle=False)
    return out


def test_an_index_written_as_arrays_and_mapped_back_answers_the_same(tmp_path: object) -> None:
    rng = np.random.default_rng(7)
    corpus = clustered_corpus(4_000, rng)
    index = PDQIndex(radius=31, buffer_size=256)
    index.add(corpus[:300], np.arange(300))  # a segment small enough to use sorted keys
    index.add(corpus[300:3_900], np.arange(300, 3_900))  # one with a bucket table
    for lo in range(3_900, 4_000, 50):  # and some in the unsealed buffer
        index.add(corpus[lo : lo + 50], np.arange(lo, lo + 50))
    index.remove(range(0, 4_000, 7))
    mapped = PDQIndex(radius=31, buffer_size=256)
    mapped.load_arrays(_saved_and_mapped(index.to_arrays(), tmp_path))
    assert len(mapped) == len(index)
    queries = np.stack([flip_bits(corpus[i], int(rng.integers(0, 40)), rng) for i in range(0, 4_000, 13)])
    want, got = index.search(queries), mapped.search(queries)
    assert sorted(zip(want.query.tolist(), want.label.tolist(), strict=True)) == sorted(
        zip(got.query.tolist(), got.label.tolist(), strict=True)
    )
    # The mapped index still takes adds and removals (its tombstones are its own copy).
    mapped.remove([1])
    mapped.add(corpus[7:8], [10_007])
    assert 10_007 in mapped.search(corpus[7:8]).label.tolist()


def test_arrays_that_do_not_fit_together_are_refused(tmp_path: object) -> None:
    rng = np.random.default_rng(8)
    index = PDQIndex(radius=31, buffer_size=256)
    index.add(clustered_corpus(3_000, rng), np.arange(3_000))
    arrays = index.to_arrays()
    arrays["seg0.order"] = arrays["seg0.order"][:-1]
    with pytest.raises(ValueError, match="inverted lists"):
        PDQIndex(radius=31, buffer_size=256).load_arrays(arrays)
    arrays = index.to_arrays()
    arrays["seg0.offsets"] = arrays["seg0.offsets"].copy()
    arrays["seg0.offsets"][-1] += 1
    with pytest.raises(ValueError, match="bucket table"):
        PDQIndex(radius=31, buffer_size=256).load_arrays(arrays)


def test_exact_and_video_indexes_go_through_arrays_too() -> None:
    exact = ExactIndex()
    exact.add(["00ff" * 8, "ab" * 16], [1, 2])
    exact.remove([], [2])
    again = ExactIndex()
    again.load_arrays(exact.to_arrays())
    assert again.search([["00ff" * 8], ["ab" * 16]]) == [[(1, 0)], []]
    rng = np.random.default_rng(9)
    frames = rng.integers(0, 2**63, size=(5, 4), dtype=np.uint64)
    videos = VPDQIndex()
    videos.add(1, frames, [90] * 5)
    videos.add(2, frames[:0], [])
    copy = VPDQIndex()
    copy.load_arrays(videos.to_arrays())
    assert len(copy) == 2
    assert [m.label for m in copy.match(frames, [90] * 5)] == [1]
