"""Linking: the offender's observables per case, script fingerprints, suggested links, analysts' decisions
and offenders (clusters of linked cases).

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _case(table: str, column: str = "case_id", **kw: object) -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey("cases.id", name=f"fk_{table}_{column}_cases", ondelete="CASCADE"),
        nullable=False,
        **kw,  # type: ignore[arg-type]
    )


def upgrade() -> None:
    op.create_table(
        "link_observables",
        sa.Column("id", sa.Integer(), nullable=False),
        _case("link_observables"),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("value", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_observables"),
        sa.UniqueConstraint("case_id", "kind", "value", name="uq_link_observable"),
    )
    op.create_index("ix_link_observables_case_id", "link_observables", ["case_id"])
    op.create_index("ix_link_observables_value", "link_observables", ["kind", "value"])
    op.create_table(
        "link_scripts",
        _case("link_scripts"),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("minhash", sa.Text(), nullable=False),
        sa.Column("under_18", sa.Boolean(), nullable=False),
        sa.Column("self_harm", sa.Boolean(), nullable=False),
        sa.Column("paid", sa.Boolean(), nullable=False),
        sa.Column("hours_to_threat", sa.Float(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_link_scripts"),
    )
    op.create_table(
        "link_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        _case("link_suggestions", "case_a"),
        _case("link_suggestions", "case_b"),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_suggestions"),
        sa.UniqueConstraint("case_a", "case_b", name="uq_link_suggestion"),
    )
    op.create_index("ix_link_suggestions_case_a", "link_suggestions", ["case_a"])
    op.create_index("ix_link_suggestions_case_b", "link_suggestions", ["case_b"])
    op.create_table(
        "link_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        _case("link_decisions", "case_a"),
        _case("link_decisions", "case_b"),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("decided_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_link_decisions"),
    )
    op.create_index("ix_link_decisions_case_a", "link_decisions", ["case_a"])
    op.create_index("ix_link_decisions_case_b", "link_decisions", ["case_b"])
    op.create_table(
        "offenders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("harm", sa.Float(), nullable=False),
        sa.Column("victims", sa.Integer(), nullable=False),
        sa.Column("under_18", sa.Integer(), nullable=False),
        sa.Column("self_harm", sa.Integer(), nullable=False),
        sa.Column("paid", sa.Integer(), nullable=False),
        sa.Column("latest_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_offenders"),
        sa.UniqueConstraint("key", name="uq_offenders_key"),
    )
    op.create_index("ix_offenders_harm", "offenders", ["harm"])
    op.create_table(
        "offender_cases",
        _case("offender_cases"),
        sa.Column(
            "offender_id",
            sa.Integer(),
            sa.ForeignKey("offenders.id", name="fk_offender_cases_offender_id_offenders", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("case_id", name="pk_offender_cases"),
    )
    op.create_index("ix_offender_cases_offender_id", "offender_cases", ["offender_id"])


def downgrade() -> None:
    for table in ("offender_cases", "offenders", "link_decisions", "link_suggestions", "link_scripts"):
        op.drop_table(table)
    op.drop_table("link_observables")
