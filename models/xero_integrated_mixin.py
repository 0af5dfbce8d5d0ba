from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class _XeroSyncFlag:
    """The value of the ``xero_sync`` context key that marks the sync's own writes.

    Only server code holding this object can set it: a context sent over RPC is JSON
    (``true``, strings, numbers), never this object, so a user cannot pass the
    "Xero-owned fields" guard by adding ``xero_sync`` to the context of a call."""

    __slots__ = ()

    def __repr__(self):
        return "<xero sync>"


XERO_SYNC = _XeroSyncFlag()


def is_xero_sync(env):
    """True when ``env`` is the sync's own (see ``XERO_SYNC``)."""
    return env.context.get("xero_sync") is XERO_SYNC


class XeroIntegratedMixin(models.AbstractModel):
    """ "Integrated with Xero" on records linked to a Xero record, and the fields Xero
    owns made read-only for users: only the sync (context ``xero_sync=XERO_SYNC``) and Odoo's own
    superuser processes write them."""

    _name = "xero.integrated.mixin"
    _description = "Integrated with Xero"

    _xero_owned_fields = ()  # fields Xero owns on this model (one-way objects)

    xero_integrated = fields.Boolean(
        string="Integrated with Xero",
        compute="_compute_xero_integrated",
        search="_search_xero_integrated",
        help="Linked to a record of a connected Xero organisation.",
    )

    def _xero_linked_ids(self):
        """Ids of ``self`` linked to Xero in any organisation."""
        if not self.ids:
            return set()
        links = (
            self.env["xero.link"]
            .sudo()
            .search_read([("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"])
        )
        return {row["res_id"] for row in links}

    def _compute_xero_integrated(self):
        linked = self._xero_linked_ids()
        for record in self:
            record.xero_integrated = record.id in linked

    @api.model
    def _xero_all_linked_ids(self):
        rows = (
            self.env["xero.link"].sudo().search_read([("res_model", "=", self._name)], ["res_id"])
        )
        return list({row["res_id"] for row in rows})

    def _search_xero_integrated(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Unsupported search on Integrated with Xero."))
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", self._xero_all_linked_ids())]

    def _xero_changes_owned(self, vals):
        """The owned fields ``vals`` would really change on integrated records."""
        owned = [f for f in self._xero_owned_fields if f in vals]
        if not owned:
            return []
        linked = self.browse(self._xero_linked_ids())
        changed = []
        for name in owned:
            field = self._fields[name]
            value = vals[name]
            for record in linked:
                current = record[name]
                if field.type == "many2one":
                    same = current.id == (value or False)
                elif field.type in ("many2many", "one2many"):
                    same = False
                elif field.type in ("float", "monetary"):
                    same = not float_compare(current or 0.0, value or 0.0, precision_digits=6)
                else:
                    same = (current or False) == (value or False)
                if not same:
                    changed.append((record, field))
                    break
        return changed

    def _xero_check_owned_write(self, vals):
        if is_xero_sync(self.env) or self.env.su:
            return
        changed = self._xero_changes_owned(vals)
        if changed:
            record, field = changed[0]
            raise UserError(
                _(
                    "%(field)s of %(record)s comes from Xero: change it in Xero, then press "
                    "Accounting > Xero > Update from Xero.",
                    field=field._description_string(self.env),
                    record=record.display_name,
                )
            )
