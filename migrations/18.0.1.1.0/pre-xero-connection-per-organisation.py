"""A company keeps one active connection, plus archived ones for the organisations it
was connected to before (their links stay with them): the plain unique(company_id)
constraint becomes a unique index on the active connections (created by the model)."""


def migrate(cr, version):
    cr.execute("ALTER TABLE xero_connection DROP CONSTRAINT IF EXISTS xero_connection_company_uniq")
