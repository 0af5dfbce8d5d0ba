"""Pending contact pushes move to xero.contact.sync: a contact link whose
``odoo_synced_at`` was empty meant "edited in Odoo, to send to Xero"; it becomes a
queued row of the contact sync, and ``odoo_synced_at`` only says when Odoo's values
were last sent or applied."""


def migrate(cr, version):
    cr.execute(
        """
        INSERT INTO xero_contact_sync (connection_id, company_id, partner_id, state, edit_seq,
                                       send_count, create_uid, write_uid, create_date,
                                       write_date)
        SELECT link.connection_id, link.company_id, link.res_id, 'queued', 1, 0, 1, 1,
               now() at time zone 'utc', now() at time zone 'utc'
          FROM xero_link link
          JOIN res_partner partner ON partner.id = link.res_id
         WHERE link.xero_type = 'contact' AND link.res_model = 'res.partner'
           AND link.odoo_synced_at IS NULL
        ON CONFLICT (connection_id, partner_id) DO UPDATE SET state = 'queued'
        """
    )
    cr.execute(
        """
        UPDATE xero_link SET odoo_synced_at = COALESCE(write_date, create_date)
         WHERE xero_type = 'contact' AND res_model = 'res.partner'
           AND odoo_synced_at IS NULL
        """
    )
