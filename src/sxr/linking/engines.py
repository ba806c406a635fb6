"""The linking job on an engine: exact groups (cases sharing a value) and suggested links scored by Splink,
on DuckDB (the default, one machine) or Spark (`--engine spark`, a local Spark; needs the `spark` extra).

Both engines get the same records and the same fixed Splink model (m and u probabilities set here, not
trained on the data), so the same input gives the same links on either. The model's levels are the
evidence an analyst sees: a look-alike handle, the same display name, a reused script.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from sxr.linking.core import (
    COMMON_CASES,
    MINHASH_BANDS,
    SPREAD_SQL,
    Observable,
    bands,
    estimated_jaccard,
    handle_skeleton,
    is_common,
    letters_skeleton,
)

ENGINES = ("duckdb", "spark")
# A suggestion is kept when Splink's match probability reaches this.
SUGGEST_AT = 0.5
# Prior: the chance that two cases picked at random share an offender.
PRIOR = 1e-4
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

    def row(self) -> dict[str, Any]:
        keys = sorted({handle_skeleton(h) for h in self.handles} - {""})
        loose = sorted({letters_skeleton(h) for h in self.handles} - {""})
        names = sorted({handle_skeleton(n) for n in self.names} - {""})
        return {
            "unique_id": self.case_id,
            "handle_keys": keys,
            "handle_loose": loose,
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


def _settings(dialect: str, link_type: Literal["dedupe_only", "link_only"] = "dedupe_only") -> Any:
    import splink.comparison_level_library as cll
    from splink import SettingsCreator, block_on

    handle = {
        "output_column_name": "handle",
        "comparison_levels": [
            cll.NullLevel("handle_keys"),
            cll.ArrayIntersectLevel("handle_keys", 1).configure(
                label_for_charts="the same handle written another way", m_probability=0.7, u_probability=1e-6
            ),
            cll.ArrayIntersectLevel("handle_loose", 1).configure(
                label_for_charts="a handle with letters swapped for look-alike digits",
                m_probability=0.15,
                u_probability=1e-5,
            ),
            cll.ElseLevel().configure(m_probability=0.15, u_probability=1 - 1e-6 - 1e-5),
        ],
    }
    name = {
        "output_column_name": "name",
        "comparison_levels": [
            cll.NullLevel("name_keys"),
            cll.ArrayIntersectLevel("name_keys", 1).configure(
                label_for_charts="the same display name", m_probability=0.6, u_probability=0.01
            ),
            cll.ElseLevel().configure(m_probability=0.5, u_probability=0.99),
        ],
    }
    script = {
        "output_column_name": "script",
        "comparison_levels": [
            cll.NullLevel("script_bands"),
            cll.ArrayIntersectLevel("script_bands", 4).configure(
                label_for_charts="much of the same script", m_probability=0.6, u_probability=1e-5
            ),
            cll.ArrayIntersectLevel("script_bands", 1).configure(
                label_for_charts="some of the same script", m_probability=0.2, u_probability=0.03
            ),
            cll.ElseLevel().configure(m_probability=0.2, u_probability=1 - 0.03 - 1e-5),
        ],
    }
    return SettingsCreator(
        link_type=link_type,
        probability_two_random_records_match=PRIOR,
        comparisons=[handle, name, script],
        blocking_rules_to_generate_predictions=[
            block_on("handle_keys", arrays_to_explode=["handle_keys"]),
            block_on("handle_loose", arrays_to_explode=["handle_loose"]),
            block_on("script_bands", arrays_to_explode=["script_bands"]),
            block_on("name_keys", arrays_to_explode=["name_keys"]),
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
    records: Sequence[LinkRecord], engine: str = "duckdb", focus: int | None = None
) -> list[Suggestion]:
    """Score pairs of cases with look-alike handles, names or scripts; those reaching SUGGEST_AT.

    With `focus` (a case id), only the pairs of that case with the others are scored (Splink's link_only
    between the one and the rest): what a new piece of evidence needs, in a fraction of the time.
    """
    rows = [r.row() for r in records]
    rows = [r for r in rows if r["handle_keys"] or r["name_keys"] or r["script_bands"]]
    if len(rows) < 2 or (focus is not None and not any(r["unique_id"] == focus for r in rows)):
        return []
    by_id = {r.case_id: r for r in records}
    from splink import Linker

    with _db_api(engine) as db_api:
        if focus is None:
            tables = [db_api.register(_input_table(engine, rows))]
            settings = _settings(engine)
        else:
            one = [r for r in rows if r["unique_id"] == focus]
            rest = [r for r in rows if r["unique_id"] != focus]
            tables = [db_api.register(_input_table(engine, one)), db_api.register(_input_table(engine, rest))]
            settings = _settings(engine, "link_only")
        linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=None)
        predictions = linker.inference.predict(threshold_match_probability=SUGGEST_AT).as_record_list()
    out = []
    for p in predictions:
        a, b = sorted((int(p["unique_id_l"]), int(p["unique_id_r"])))
        out.append(
            Suggestion(a, b, round(float(p["match_probability"]), 4), _evidence(p, by_id[a], by_id[b]))
        )
    return sorted(out, key=lambda s: (s.case_a, s.case_b))


def _input_table(engine: str, rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            ("handle_keys", pa.list_(pa.string())),
            ("handle_loose", pa.list_(pa.string())),
            ("name_keys", pa.list_(pa.string())),
            ("script_bands", pa.list_(pa.string())),
        ]
    )
    # An empty list is "nothing known": Splink's null level, not a disagreement.
    cleaned = [{k: (v if v != [] else None) for k, v in row.items()} for row in rows]
    table = pa.Table.from_pylist(cleaned, schema=schema)
    if engine == "spark":
        return spark_session().createDataFrame(
            cleaned,
            "unique_id long, handle_keys array<string>, handle_loose array<string>, "
            "name_keys array<string>, script_bands array<string>",
        )
    return table


def _evidence(p: dict[str, Any], a: LinkRecord, b: LinkRecord) -> tuple[dict[str, str], ...]:
    out: list[dict[str, str]] = []
    ka = {handle_skeleton(h): h for h in a.handles}
    kb = {handle_skeleton(h): h for h in b.handles}
    if int(p.get("gamma_handle", -1)) == 2:
        for key in sorted(set(ka) & set(kb)):
            out.append(
                {
                    "kind": "handle",
                    "value": f"{ka[key]} / {kb[key]}",
                    "why": "the same handle written another way",
                }
            )
    elif int(p.get("gamma_handle", -1)) == 1:
        la = {letters_skeleton(h): h for h in a.handles}
        lb = {letters_skeleton(h): h for h in b.handles}
        for key in sorted(set(la) & set(lb)):
            out.append(
                {
                    "kind": "handle",
                    "value": f"{la[key]} / {lb[key]}",
                    "why": "a handle with look-alike letters",
                }
            )
    if int(p.get("gamma_name", -1)) == 1:
        shared = sorted({handle_skeleton(n) for n in a.names} & {handle_skeleton(n) for n in b.names})
        for key in shared:
            out.append({"kind": "name", "value": key, "why": "the same display name"})
    if int(p.get("gamma_script", -1)) >= 1:
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
