from odoo import _, models

from ..xero.where import contains_any, matches
from .xero_integrated_mixin import XERO_SYNC

MAX_ACTIVE = 2  # Xero tracks at most two categories


class XeroImportTracking(models.AbstractModel):
    """Xero tracking categories -> analytic plans, their options -> analytic accounts,
    so that a line's analytic distribution becomes Xero tracking on export."""

    _name = "xero.import.tracking"
    _inherit = "xero.import.base"
    _description = "Xero Import: Tracking Categories"

    _object_type = "tracking"
    _xero_type = "tracking_category"
    _res_model = "account.analytic.plan"
    _id_field = "TrackingCategoryID"

    def _fetch_all(self, client, search=None):
        where = contains_any(("Name",), search) if search else None
        records = client.get_tracking_categories(where=where, include_archived=True)
        return [r for r in records if not search or matches(r, ("Name",), search)]

    def _details(self, rec):
        options = [o.get("Name") for o in rec.get("Options") or [] if o.get("Status") == "ACTIVE"]
        return ", ".join(options)[:200] or False

    def _allowed(self, connection, records):
        """The categories that can be integrated: the linked ones, then active ones by
        name until Xero's two are reached."""
        linked = set(self._linked(connection, records))
        allowed = [r["TrackingCategoryID"] for r in records if r["TrackingCategoryID"] in linked]
        for rec in sorted(records, key=lambda r: (r.get("Name") or "").lower()):
            if len(allowed) >= MAX_ACTIVE:
                break
            if rec.get("Status") == "ACTIVE" and rec["TrackingCategoryID"] not in allowed:
                allowed.append(rec["TrackingCategoryID"])
        return allowed

    def _with_allowed(self, connection, records):
        return self.with_context(xero_tracking_allowed=self._allowed(connection, records))

    def _describe(self, connection, records):
        self = self._with_allowed(connection, records)
        return super()._describe(connection, records)

    def _import(self, connection, records):
        self = self._with_allowed(connection, records)
        return super()._import(connection, records)

    def _refusal(self, connection, rec):
        if rec.get("Status") != "ACTIVE":
            return _("Archived in Xero.")
        allowed = self.env.context.get("xero_tracking_allowed")
        if allowed is not None and rec["TrackingCategoryID"] not in allowed:
            return _(
                "Xero tracks at most two categories and two others are already chosen; "
                "archive one in Xero first."
            )
        return None

    def _find_existing(self, connection, records):
        plans = self.env["account.analytic.plan"].search(
            [("name", "in", [r.get("Name") for r in records]), ("parent_id", "=", False)]
        )
        taken = set(
            self.env["xero.link"]
            .sudo()
            .search(
                [
                    ("connection_id", "=", connection.id),
                    ("xero_type", "=", "tracking_category"),
                ]
            )
            .mapped("res_id")
        )
        by_name = {p.name: p for p in plans if p.id not in taken}
        return {
            r["TrackingCategoryID"]: by_name[r["Name"]] for r in records if r["Name"] in by_name
        }

    def _values(self, connection, rec):
        return {"name": (rec.get("Name") or "").strip()}

    def _create_values(self, connection, rec, values):
        return dict(values, default_applicability="optional")

    def _archive(self, record):
        self._write(record.account_ids, {"active": False})

    def _after_import(self, connection, rec, plan):
        """Bring the category's options in as analytic accounts of ``plan``."""
        links = self.env["xero.link"].sudo()
        options = rec.get("Options") or []
        linked = links._records_by_xero_id(
            connection,
            "account.analytic.account",
            "tracking_option",
            [o["TrackingOptionID"] for o in options],
        )
        Account = self.env["account.analytic.account"].with_context(
            active_test=False, xero_sync=XERO_SYNC
        )
        existing = {
            a.name: a
            for a in Account.search(
                [("plan_id", "=", plan.id), ("company_id", "in", [connection.company_id.id, False])]
            )
        }
        for option in options:
            active = option.get("Status") == "ACTIVE" and rec.get("Status") == "ACTIVE"
            account = linked.get(option["TrackingOptionID"]) or existing.get(option.get("Name"))
            values = {"name": option.get("Name"), "plan_id": plan.id, "active": active}
            if account:
                account.write(values)
            elif active:
                account = Account.create(dict(values, company_id=connection.company_id.id))
            else:
                continue
            links._set(
                connection,
                account,
                "tracking_option",
                option["TrackingOptionID"],
                xero_name=option.get("Name"),
                xero_status=option.get("Status") or "ACTIVE",
                xero_code=rec.get("Name"),
            )

    def _xero_tracking(self, connection, distribution):
        """Xero line Tracking for an Odoo ``analytic_distribution`` ({"id,id": percent}):
        per integrated category, the option with the largest share (at most two)."""
        shares = {}
        for key, percent in (distribution or {}).items():
            for account_id in str(key).split(","):
                if account_id.strip().isdigit():
                    shares[int(account_id)] = shares.get(int(account_id), 0) + (percent or 0)
        if not shares:
            return []
        accounts = self.env["account.analytic.account"].browse(list(shares)).exists()
        links = self.env["xero.link"].sudo()
        options = links._xero_ids(connection, accounts, "tracking_option")
        categories = links._xero_ids(connection, accounts.plan_id, "tracking_category")
        best = {}
        for account in accounts.filtered(lambda a: a.id in options):
            category = categories.get(account.plan_id.id)
            if category and shares[account.id] > best.get(category, (None, -1))[1]:
                best[category] = (account, shares[account.id])
        return [
            {
                "TrackingCategoryID": category,
                "Name": account.plan_id.name,
                "TrackingOptionID": options[account.id],
                "Option": account.name,
            }
            for category, (account, _share) in list(best.items())[:MAX_ACTIVE]
        ]
