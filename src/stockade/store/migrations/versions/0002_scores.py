"""Create the package, package_term, package_facts and trust_report tables (trust scores).

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "package",
        sa.Column("ecosystem", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("latest", sa.Text(), nullable=True),
        sa.Column("repository_key", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("popularity", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ecosystem", "name", name=op.f("pk_package")),
    )
    op.create_index(op.f("ix_package_repository_key"), "package", ["repository_key"], unique=False)
    op.create_table(
        "package_term",
        sa.Column("ecosystem", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ecosystem", "name"],
            ["package.ecosystem", "package.name"],
            name=op.f("fk_package_term_ecosystem_package"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ecosystem", "name", "term", name=op.f("pk_package_term")),
    )
    op.create_index(
        "ix_package_term_ecosystem_term", "package_term", ["ecosystem", "term"], unique=False
    )
    op.create_table(
        "package_facts",
        sa.Column("ecosystem", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ecosystem", "name", "version", name=op.f("pk_package_facts")),
    )
    op.create_table(
        "trust_report",
        sa.Column("ecosystem", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ecosystem", "name", "version", name=op.f("pk_trust_report")),
    )
    op.create_index(
        op.f("ix_trust_report_computed_at"), "trust_report", ["computed_at"], unique=False
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_index(op.f("ix_trust_report_computed_at"), table_name="trust_report")
    op.drop_table("trust_report")
    op.drop_table("package_facts")
    op.drop_index("ix_package_term_ecosystem_term", table_name="package_term")
    op.drop_table("package_term")
    op.drop_index(op.f("ix_package_repository_key"), table_name="package")
    op.drop_table("package")
