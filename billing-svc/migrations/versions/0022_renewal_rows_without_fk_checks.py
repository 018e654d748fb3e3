"""Renewal lines and period claims without per-row foreign-key checks (#20 item 4): the four keys of
`invoice_lines` (→ invoices, products) and `billing_periods` (→ invoices, subscriptions) cost more than half of the
renewal run's write (a trigger and a `SELECT ... FOR KEY SHARE` per row and key, and a shared lock on the parent row:
the run's two connections take it on the same few products). Every writer of those rows writes them in the
transaction (the renewal run: the statement) that writes or locks their parent, and a parent is never deleted: the
statement triggers below refuse it (they cost nothing on insert). `test_renewal_row_references` holds both.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARENTS = ("invoices", "subscriptions", "products")
KEYS = (
    ("invoice_lines", "fk_invoice_lines_invoice_id_invoices", "invoice_id", "invoices", "ON DELETE CASCADE"),
    ("invoice_lines", "fk_invoice_lines_product_id_products", "product_id", "products", ""),
    ("billing_periods", "fk_billing_periods_invoice_id_invoices", "invoice_id", "invoices", ""),
    ("billing_periods", "fk_billing_periods_subscription_id_subscriptions", "subscription_id", "subscriptions", ""),
)


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION billing_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'rows of % are never deleted: invoice lines and billing periods refer to them', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
        END $$""")
    for parent in PARENTS:
        op.execute(f"CREATE TRIGGER {parent}_never_deleted BEFORE DELETE ON {parent} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_delete()")
    for table, name, _, _, _ in KEYS:
        op.drop_constraint(name, table, type_="foreignkey")


def downgrade() -> None:
    for table, name, column, parent, action in KEYS:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {parent} (id) {action}")
    for parent in PARENTS:
        op.execute(f"DROP TRIGGER {parent}_never_deleted ON {parent}")
    op.execute("DROP FUNCTION billing_refuse_delete()")
