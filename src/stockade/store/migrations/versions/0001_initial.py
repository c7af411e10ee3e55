"""Create the vulnerability, affected_package, alias and meta tables.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade the schema."""
    op.create_table(
        "vulnerability",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_malicious", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vulnerability")),
    )
    op.create_table(
        "affected_package",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vulnerability_id", sa.String(length=255), nullable=False),
        sa.Column("ecosystem", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vulnerability_id"],
            ["vulnerability.id"],
            name=op.f("fk_affected_package_vulnerability_id_vulnerability"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affected_package")),
    )
    op.create_index(
        "ix_affected_package_ecosystem_name_key",
        "affected_package",
        ["ecosystem", "name_key"],
        unique=False,
    )
    op.create_index(
        op.f("ix_affected_package_vulnerability_id"),
        "affected_package",
        ["vulnerability_id"],
        unique=False,
    )
    op.create_table(
        "alias",
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("vulnerability_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["vulnerability_id"],
            ["vulnerability.id"],
            name=op.f("fk_alias_vulnerability_id_vulnerability"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alias", "vulnerability_id", name=op.f("pk_alias")),
    )
    op.create_index(op.f("ix_alias_vulnerability_id"), "alias", ["vulnerability_id"], unique=False)
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )


def downgrade() -> None:
    """Downgrade the schema."""
    op.drop_table("meta")
    op.drop_index(op.f("ix_alias_vulnerability_id"), table_name="alias")
    op.drop_table("alias")
    op.drop_index(op.f("ix_affected_package_vulnerability_id"), table_name="affected_package")
    op.drop_index("ix_affected_package_ecosystem_name_key", table_name="affected_package")
    op.drop_table("affected_package")
    op.drop_table("vulnerability")
