"""The linking job on an engine: exact groups (cases sharing a value) and suggested links scored by Splink,
on DuckDB (the default, one machine) or Spark (`--engine spark`, a local Spark; needs the `spark` extra).

Both engines get the same records and the same Splink model (m and u probabilities set here, not trained
on the data, or re-estimated from analysts' decisions: `Weights`), so the same input gives the same links on
either. The model's levels are the evidence an analyst sees: a look-alike handle, the same handle with its
numbers changed, the same display name, a reused script.

The offender's own pictures (marked by staff) are compared by an exact radius search over their PDQ
hashes (sxr.media.index, the watchlist's own index; Splink has no 256-bit Hamming comparison that both
DuckDB and Spark run): each pair of cases with pictures within the radius gets a key of its own in both
cases' `picture_keys`, and Splink blocks and compares on those keys like any other, so a near-duplicate
picture is weighed together with the handles, names and scripts of the same two cases.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from sxr.linking.core import (
    COMMON_CASES,
    MINHASH_BANDS,
    SPREAD_SQL,
    Observable,
    bands,
    estimated_jaccard,
    handle_skeleton,
    handle_stem,
    is_common,
    letters_skeleton,
)
from sxr.media.index import DEFAULT_RADIUS, PDQIndex, hex_to_codes

ENGINES = ("duckdb", "spark")
# A suggestion is kept when Splink's match probability reaches this.
SUGGEST_AT = 0.5
# Prior: the chance that two cases picked at random share an offender.
PRIOR = 1e-4
# Two of the offender's pictures within the radius: the chance of that for two cases of one offender that
# both hold a picture of him (he keeps one face across his accounts), and for two unrelated cases (the
# same stolen photo used by two unrelated offenders; PDQ's own false matches at 31 bits are far rarer).
PICTURE_M = 0.8
PICTURE_U = 5e-5
# Bounds for hostile input: pictures a case brings to the comparison, and cases one case's pictures
# pair it with (a prolific offender's face in thousands of cases: the nearest are kept).
MAX_PICTURES_PER_CASE = 20
MAX_PICTURE_PAIRS = 500
log = logging.getLogger(__name__)


class EngineError(RuntimeError):
    """The engine cannot run here; the message says why in words."""


@dataclass(slots=True)
class LinkRecord:
    """One case as the suggestion model sees it."""

    case_id: int
    handles: list[str] = field(default_factory=list)  # the offender's handles, as found
    names: list[str] = field(default_factory=list)  # the offender's display names in the chats
    minhash: tuple[int, ...] = ()
    pictures: list[str] = field(default_factory=list)  # PDQ hashes (hex) of the offender's own pictures

    def row(self) -> dict[str, Any]:
        keys = sorted({handle_skeleton(h) for h in self.handles} - {""})
        loose = sorted({letters_skeleton(h) for h in self.handles} - {""})
        # Too short a stem ("jess") says little: the level needs five letters.
        stems = sorted({s for s in (handle_stem(h) for h in self.handles) if len(s) >= 5})
        names = sorted({handle_skeleton(n) for n in self.names} - {""})
        return {
            "unique_id": self.case_id,
            "handle_keys": keys,
            "handle_loose": loose,
            "handle_stems": stems,
            "name_keys": names,
            "script_bands": bands(self.minhash),
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Two cases perhaps of one offender: Splink's score and the evidence behind it."""

    case_a: int
    case_b: int
    score: float
    evidence: tuple[dict[str, str], ...]


# The model: for each comparison, its levels (best first) as (name, m, u). The "else" level takes what the
# others leave. `Weights` holds these probabilities; analysts' decisions re-estimate the m's (services).
LEVELS: dict[str, tuple[tuple[str, float, float], ...]] = {
    "handle": (
        ("same", 0.55, 1e-6),
        ("lookalike", 0.1, 1e-5),
        ("stem", 0.2, 2e-4),
        ("else", 0.15, 1 - 1e-6 - 1e-5 - 2e-4),
    ),
    # A display name is mostly the handle's own name ("Jess" beside jess.x.love22): where the handles
    # already agree (their stems meet), the same name adds nothing (m = u); elsewhere it counts.
    "name": (("in_handle", 0.3, 0.3), ("same", 0.3, 0.02), ("else", 0.4, 0.68)),
    "picture": (("near", PICTURE_M, PICTURE_U), ("else", 1 - PICTURE_M, 1 - PICTURE_U)),
    # Scripts circulate between groups (sold, copied): a few bands in common (4 to 7 of 32, about a
    # quarter of the wording) is found between unrelated offenders working from one template; most of
    # the script (8 or more bands) hardly ever.
    "script": (
        ("most", 0.35, 1e-6),
        ("much", 0.3, 5e-5),
        ("some", 0.2, 0.03),
        ("else", 0.15, 1 - 0.03 - 5e-5 - 1e-6),
    ),
}
LEVEL_LABELS = {
    ("handle", "same"): "the same handle written another way",
    ("handle", "lookalike"): "a handle with letters swapped for look-alike digits",
    ("handle", "stem"): "the same handle with its numbers changed",
    ("name", "in_handle"): "the same display name, already in the handle",
    ("name", "same"): "the same display name",
    ("picture", "near"): "the same picture of the offender",
    ("script", "most"): "most of the same script",
    ("script", "much"): "much of the same script",
    ("script", "some"): "some of the same script",
}


@dataclass(frozen=True, slots=True)
class Weights:
    """The model's m and u probabilities: (comparison, level) -> (m, u); LEVELS unless re-estimated."""

    levels: dict[str, tuple[tuple[str, float, float], ...]] = field(default_factory=lambda: dict(LEVELS))
    source: str = "fixed"  # fixed, or what re-estimated them ("12 confirmed, 3 rejected links")

    def get(self, comparison: str, level: str) -> tuple[float, float]:
        for name, m, u in self.levels[comparison]:
            if name == level:
                return m, u
        raise KeyError((comparison, level))

    def gamma(self, comparison: str, value: int) -> str | None:
        """The level name of Splink's gamma value (levels count down to 0, the else level); None: null."""
        names = [name for name, _m, _u in self.levels[comparison]]
        return None if value < 0 or value >= len(names) else names[len(names) - 1 - value]


def pair_levels(a: LinkRecord, b: LinkRecord, picture_distance: int | None) -> dict[str, str | None]:
    """The level of each comparison two records fall in, as Splink's levels read them (None: nothing to
    compare on one side). `picture_distance`: their pictures' nearest distance when within the radius."""
    ra, rb = a.row(), b.row()

    def meet(key: str, at_least: int = 1) -> bool:
        return len(set(ra[key]) & set(rb[key])) >= at_least

    out: dict[str, str | None] = {}
    if not ra["handle_keys"] or not rb["handle_keys"]:
        out["handle"] = None
    else:
        out["handle"] = next(
            (
                name
                for name, key in (
                    ("same", "handle_keys"),
                    ("lookalike", "handle_loose"),
                    ("stem", "handle_stems"),
                )
                if meet(key)
            ),
            "else",
        )
    if not ra["name_keys"] or not rb["name_keys"]:
        out["name"] = None
    else:
        out["name"] = ("in_handle" if meet("handle_stems") else "same") if meet("name_keys") else "else"
    if not ra["script_bands"] or not rb["script_bands"]:
        out["script"] = None
    else:
        out["script"] = next(
            (name for name, n in (("most", 8), ("much", 4), ("some", 1)) if meet("script_bands", n)), "else"
        )
    out["picture"] = (
        None if not a.pictures or not b.pictures else "near" if picture_distance is not None else "else"
    )
    return out


# Analysts' decisions re-estimate the model (`reestimate`): each level's m is the share of confirmed pairs
# at that level, smoothed towards the fixed m as if PSEUDO_PAIRS pairs had been seen at the fixed shares
# (a few decisions move it a little, hundreds decide it); a level whose suggestions analysts reject more
# often than the model expected (the sum of 1 - score over its decided pairs) has its u raised by the ratio
# (rejected + 1) / (expected + 1), at most MAX_U_RAISE times: its Bayes factor falls by as much.
PSEUDO_PAIRS = 20
MAX_U_RAISE = 1000.0


@dataclass(frozen=True, slots=True)
class Decided:
    """A suggestion an analyst decided: its levels (pair_levels), its score then, and the word."""

    levels: dict[str, str | None]
    score: float
    confirmed: bool


def reestimate(decided: Sequence[Decided], base: Weights | None = None) -> Weights:
    """The model's m and u re-estimated from analysts' decisions (see PSEUDO_PAIRS); `base` when none."""
    base = base or Weights()
    if not decided:
        return base
    confirmed = [d for d in decided if d.confirmed]
    levels: dict[str, tuple[tuple[str, float, float], ...]] = {}
    for comparison, rows in base.levels.items():
        seen = [d.levels.get(comparison) for d in confirmed if d.levels.get(comparison) is not None]
        n = len(seen)
        new = []
        for name, m, u in rows:
            m_new = (seen.count(name) + PSEUDO_PAIRS * m) / (n + PSEUDO_PAIRS)
            at_level = [d for d in decided if d.levels.get(comparison) == name]
            rejected = sum(1 for d in at_level if not d.confirmed)
            expected = sum(1 - d.score for d in at_level)
            raise_by = min(max((rejected + 1) / (expected + 1), 1.0), MAX_U_RAISE) if name != "else" else 1.0
            new.append((name, m_new, u * raise_by))
        # u's stay a distribution: the else level gives what the others took.
        taken = sum(u for name, _m, u in new if name != "else")
        levels[comparison] = tuple(
            (name, m, max(1.0 - taken, 1e-9) if name == "else" else u) for name, m, u in new
        )
    word = f"re-estimated from {len(confirmed)} confirmed and {len(decided) - len(confirmed)} rejected links"
    return Weights(levels, word)


def _level(level: Any, weights: Weights, comparison: str, name: str) -> Any:
    m, u = weights.get(comparison, name)
    label = LEVEL_LABELS.get((comparison, name), "no match")
    return level.configure(label_for_charts=label, m_probability=m, u_probability=u)


def _settings(
    dialect: str,
    link_type: Literal["dedupe_only", "link_only"] = "dedupe_only",
    weights: Weights | None = None,
) -> Any:
    import splink.comparison_level_library as cll
    from splink import SettingsCreator, block_on

    w = weights or Weights()
    handle = {
        "output_column_name": "handle",
        "comparison_levels": [
            cll.NullLevel("handle_keys"),
            _level(cll.ArrayIntersectLevel("handle_keys", 1), w, "handle", "same"),
            _level(cll.ArrayIntersectLevel("handle_loose", 1), w, "handle", "lookalike"),
            _level(cll.ArrayIntersectLevel("handle_stems", 1), w, "handle", "stem"),
            _level(cll.ElseLevel(), w, "handle", "else"),
        ],
    }
    name = {
        "output_column_name": "name",
        "comparison_levels": [
            cll.NullLevel("name_keys"),
            _level(
                cll.And(cll.ArrayIntersectLevel("name_keys", 1), cll.ArrayIntersectLevel("handle_stems", 1)),
                w,
                "name",
                "in_handle",
            ),
            _level(cll.ArrayIntersectLevel("name_keys", 1), w, "name", "same"),
            _level(cll.ElseLevel(), w, "name", "else"),
        ],
    }
    script = {
        "output_column_name": "script",
        "comparison_levels": [
            cll.NullLevel("script_bands"),
            _level(cll.ArrayIntersectLevel("script_bands", 8), w, "script", "most"),
            _level(cll.ArrayIntersectLevel("script_bands", 4), w, "script", "much"),
            _level(cll.ArrayIntersectLevel("script_bands", 1), w, "script", "some"),
            _level(cll.ElseLevel(), w, "script", "else"),
        ],
    }
    picture = {
        "output_column_name": "picture",
        "comparison_levels": [
            cll.NullLevel("picture_keys"),
            _level(cll.ArrayIntersectLevel("picture_keys", 1), w, "picture", "near"),
            _level(cll.ElseLevel(), w, "picture", "else"),
        ],
    }
    return SettingsCreator(
        link_type=link_type,
        probability_two_random_records_match=PRIOR,
        comparisons=[handle, name, script, picture],
        blocking_rules_to_generate_predictions=[
            block_on("handle_keys", arrays_to_explode=["handle_keys"]),
            block_on("handle_loose", arrays_to_explode=["handle_loose"]),
            block_on("handle_stems", arrays_to_explode=["handle_stems"]),
            block_on("script_bands", arrays_to_explode=["script_bands"]),
            block_on("picture_keys", arrays_to_explode=["picture_keys"]),
            # Not on display names alone: "Jess" is every tenth fake profile, and a shared name alone
            # never reaches SUGGEST_AT; a name adds its weight to pairs the other rules bring.
        ],
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=[],
    )


@contextmanager
def _db_api(engine: str) -> Iterator[Any]:
    if engine == "duckdb":
        from splink import DuckDBAPI

        yield DuckDBAPI()
        return
    if engine != "spark":
        raise EngineError(f"There is no linking engine called {engine!r}: use duckdb or spark.")
    spark = spark_session()
    from splink import SparkAPI

    # sxr's comparisons are array intersections: Splink's Java string-similarity jar is not needed.
    yield SparkAPI(
        spark_session=spark,
        break_lineage_method="persist",
        num_partitions_on_repartition=4,
        register_udfs_automatically=False,
    )


_SPARK: Any = None


def spark_session() -> Any:
    """A local Spark (one per process), or EngineError saying why there is none."""
    global _SPARK  # one JVM per process: starting Spark costs seconds
    if _SPARK is not None:
        return _SPARK
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineError(
            "The Spark engine needs pyspark: install sxr with the spark extra (pip install 'sxr[spark]')."
        ) from exc
    try:
        _SPARK = (
            SparkSession.builder.master("local[2]")
            .appName("sxr-linking")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    except Exception as exc:  # Java missing or too old, no memory: said in words
        raise EngineError(f"Spark could not start here: {type(exc).__name__}: {exc}"[:500]) from exc
    return _SPARK


def suggest(
    records: Sequence[LinkRecord],
    engine: str = "duckdb",
    focus: int | None = None,
    weights: Weights | None = None,
    radius: int = DEFAULT_RADIUS,
) -> list[Suggestion]:
    """Score pairs of cases with look-alike handles, names, scripts or pictures; those reaching SUGGEST_AT.

    With `focus` (a case id), only the pairs of that case with the others are scored (Splink's link_only
    between the one and the rest): what a new piece of evidence needs, in a fraction of the time.
    `radius` is the PDQ distance at which two pictures are one (the watchlist's match radius).
    """
    pictures = picture_pairs(records, radius, focus)
    keys: dict[int, list[str]] = defaultdict(list)
    for a, b in sorted(pictures, key=lambda pair: pictures[pair]):
        for case_id in (a, b):
            if len(keys[case_id]) < MAX_PICTURE_PAIRS:
                keys[case_id].append(f"{a}:{b}")
    rows = []
    for r in records:
        row = r.row()
        # A case with pictures of him but none near another's still has pictures: a key of its own.
        row["picture_keys"] = [*keys.get(r.case_id, []), f"{r.case_id}"] if r.pictures else []
        if row["handle_keys"] or row["name_keys"] or row["script_bands"] or row["picture_keys"]:
            rows.append(row)
    if len(rows) < 2 or (focus is not None and not any(r["unique_id"] == focus for r in rows)):
        return []
    w = weights or Weights()
    by_id = {r.case_id: r for r in records}
    out = []
    for p in _predict(rows, engine, focus, w):
        a, b = sorted((int(p["unique_id_l"]), int(p["unique_id_r"])))
        evidence = _evidence(p, by_id[a], by_id[b], w)
        if w.gamma("picture", int(p.get("gamma_picture", -1))) == "near":
            evidence += (
                {
                    "kind": "picture",
                    "value": f"{pictures.get((a, b), 0)} of 256 bits differ",
                    "why": "the same picture of the offender",
                },
            )
        out.append(Suggestion(a, b, round(float(p["match_probability"]), 4), evidence))
    return sorted(out, key=lambda s: (s.case_a, s.case_b))


def _predict(
    rows: list[dict[str, Any]], engine: str, focus: int | None, weights: Weights
) -> list[dict[str, Any]]:
    from splink import Linker

    with _db_api(engine) as db_api:
        if focus is None:
            tables = [db_api.register(_input_table(engine, rows))]
            settings = _settings(engine, weights=weights)
        else:
            one = [r for r in rows if r["unique_id"] == focus]
            rest = [r for r in rows if r["unique_id"] != focus]
            tables = [db_api.register(_input_table(engine, one)), db_api.register(_input_table(engine, rest))]
            settings = _settings(engine, "link_only", weights)
        linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=None)
        return list(linker.inference.predict(threshold_match_probability=SUGGEST_AT).as_record_list())


def picture_pairs(
    records: Sequence[LinkRecord], radius: int = DEFAULT_RADIUS, focus: int | None = None
) -> dict[tuple[int, int], int]:
    """Pairs of cases holding pictures of the offender within `radius` bits: (a, b) -> nearest distance.

    An exact radius search (sxr.media.index: every pair within the radius is found). Unreadable hashes are
    skipped (the caller stored only the hashes it made).
    """
    hexes: list[str] = []
    owners: list[int] = []
    for r in records:
        for value in r.pictures[:MAX_PICTURES_PER_CASE]:
            if len(value) == 64 and all(c in "0123456789abcdef" for c in value.lower()):
                hexes.append(value.lower())
                owners.append(r.case_id)
    if len(hexes) < 2:
        return {}
    codes = hex_to_codes(hexes)
    index = PDQIndex(radius=radius)
    index.add(codes, np.arange(len(hexes), dtype=np.int64))
    queries = [k for k, owner in enumerate(owners) if focus is None or owner == focus]
    if not queries:
        return {}
    found = index.search(codes[queries])
    out: dict[tuple[int, int], int] = {}
    for q, label, distance in zip(
        found.query.tolist(), found.label.tolist(), found.distance.tolist(), strict=True
    ):
        a, b = owners[queries[q]], owners[label]
        if a == b:
            continue
        key = (min(a, b), max(a, b))
        out[key] = min(distance, out.get(key, distance))
    return out


def _input_table(engine: str, rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            ("handle_keys", pa.list_(pa.string())),
            ("handle_loose", pa.list_(pa.string())),
            ("handle_stems", pa.list_(pa.string())),
            ("name_keys", pa.list_(pa.string())),
            ("script_bands", pa.list_(pa.string())),
            ("picture_keys", pa.list_(pa.string())),
        ]
    )
    # An empty list is "nothing known": Splink's null level, not a disagreement.
    cleaned = [{k: (v if v != [] else None) for k, v in row.items()} for row in rows]
    table = pa.Table.from_pylist(cleaned, schema=schema)
    if engine == "spark":
        return spark_session().createDataFrame(
            cleaned,
            "unique_id long, handle_keys array<string>, handle_loose array<string>, "
            "handle_stems array<string>, name_keys array<string>, script_bands array<string>, "
            "picture_keys array<string>",
        )
    return table


def _evidence(
    p: dict[str, Any], a: LinkRecord, b: LinkRecord, weights: Weights
) -> tuple[dict[str, str], ...]:
    out: list[dict[str, str]] = []
    handle = weights.gamma("handle", int(p.get("gamma_handle", -1)))
    keys = {"same": handle_skeleton, "lookalike": letters_skeleton, "stem": handle_stem}
    if handle in keys:
        key_of = keys[handle]
        ka = {key_of(h): h for h in a.handles}
        kb = {key_of(h): h for h in b.handles}
        for key in sorted(set(ka) & set(kb)):
            out.append(
                {"kind": "handle", "value": f"{ka[key]} / {kb[key]}", "why": LEVEL_LABELS[("handle", handle)]}
            )
    if weights.gamma("name", int(p.get("gamma_name", -1))) in ("same", "in_handle"):
        shared = sorted({handle_skeleton(n) for n in a.names} & {handle_skeleton(n) for n in b.names})
        for key in shared:
            out.append({"kind": "name", "value": key, "why": "the same display name"})
    if weights.gamma("script", int(p.get("gamma_script", -1))) in ("most", "much", "some"):
        overlap = estimated_jaccard(a.minhash, b.minhash)
        out.append(
            {"kind": "script", "value": f"{overlap:.0%} of the offender's wording", "why": "a reused script"}
        )
    return tuple(out)


# --- exact groups --------------------------------------------------------------------------------------


@dataclass(slots=True)
class ExactGroups:
    """Cases sharing each value (values in two or more cases), and the values too common to link."""

    groups: list[list[int]]
    common: list[tuple[Observable, int, int]]  # a common value, its cases, the other values in them


def exact_groups(
    rows: Iterable[tuple[int, str, str]], engine: str = "duckdb", limit: int = COMMON_CASES
) -> ExactGroups:
    """Group (case_id, kind, value) rows by value on the engine: a group per shared value; common apart."""
    groups_sql = """
        SELECT kind, value, {collect} AS cases FROM observables
        GROUP BY kind, value HAVING count(DISTINCT case_id) > 1
    """
    spread_sql = SPREAD_SQL.format(table="observables", limit=int(limit))
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        try:
            con.register("observables", _rows_table(rows))
            found = con.execute(
                groups_sql.format(collect="list(DISTINCT case_id ORDER BY case_id)")
            ).fetchall()
            spread = con.execute(spread_sql).fetchall()
        finally:
            con.close()
    elif engine == "spark":
        spark = spark_session()
        frame = spark.createDataFrame(list(rows), "case_id long, kind string, value string")
        frame.createOrReplaceTempView("observables")
        found = [
            (r[0], r[1], list(r[2]))
            for r in spark.sql(groups_sql.format(collect="sort_array(collect_set(case_id))")).collect()
        ]
        spread = [tuple(r) for r in spark.sql(spread_sql).collect()]
    else:
        raise EngineError(f"There is no linking engine called {engine!r}: use duckdb or spark.")
    common = {(k, v): (int(n), int(o)) for k, v, n, o in spread if is_common(int(n), int(o), limit)}
    groups = sorted([int(c) for c in cases] for kind, value, cases in found if (kind, value) not in common)
    listed = [(Observable(k, v), n, o) for (k, v), (n, o) in common.items()]
    listed.sort(key=lambda c: (-c[1], c[0].kind, c[0].value))
    return ExactGroups(groups, listed)


def _rows_table(rows: Iterable[tuple[int, str, str]]) -> Any:
    import pyarrow as pa

    ids: list[int] = []
    kinds: list[str] = []
    values: list[str] = []
    for case_id, kind, value in rows:
        ids.append(case_id)
        kinds.append(kind)
        values.append(value)
    return pa.table({"case_id": pa.array(ids, pa.int64()), "kind": kinds, "value": values})


__all__ = ["ENGINES", "MINHASH_BANDS", "EngineError", "LinkRecord", "Suggestion", "exact_groups", "suggest"]
