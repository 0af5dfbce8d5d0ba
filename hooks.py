def post_init_hook(env):
    """Every company gets its (not yet connected) Xero connection record."""
    connections = env["xero.connection"].sudo().with_context(active_test=False)
    for company in env["res.company"].search([]):
        if not connections.search_count([("company_id", "=", company.id)]):
            connections.create({"company_id": company.id})
