"""The Accounting API calls the addon needs, as thin methods over ``XeroClient.request``."""

from itertools import islice
from urllib.parse import quote

from .batch import (
    CHUNK_SIZE,
    chunk_key,
    chunks,
    clean,
    derive_key,
    digest,
    element_result,
    failed_results,
    kind_of,
    split_refs,
    split_text,
)
from .errors import (
    XeroAuthError,
    XeroError,
    XeroRateLimited,
    XeroRequestTooLong,
    XeroResponseError,
    XeroScopeMissing,
    XeroTransientError,
    XeroValidationError,
)
from .transport import utc_header_date
from .where import can_quote, literal, same_text

BAD_FILENAME_CHARS = set('<>:"/\\|?*\0')


class XeroPage(list):
    """A page of records; ``pagination`` is Xero's {page, pageSize, pageCount, itemCount}."""

    def __init__(self, records, pagination=None, page=None, page_size=None):
        super().__init__(records)
        self.pagination = pagination or {}
        self.page = page
        self.page_size = page_size

    @property
    def has_more(self):
        """True when asking for the next page may return more records."""
        if self.pagination.get("pageCount") is not None and self.page:
            return self.page < int(self.pagination["pageCount"])
        return bool(self.page) and len(self) >= (self.page_size or 100)


def _query(**params):
    """Xero query parameters: skip None/False, booleans as 'true', lists comma-joined."""
    out = []
    for name, value in params.items():
        if value is None or value is False or value == [] or value == ():
            continue
        if value is True:
            value = "true"
        elif isinstance(value, (list, tuple, set)):
            value = ",".join(str(v) for v in value)
        out.append((name, value))
    return out


SEARCH_PAGES_MAX = 10  # pages of searchTerm results read for one name


def _unique(values):
    return list(dict.fromkeys(v for v in values if v))


def _element_results(spec, chunk, elements):
    return [element_result(spec, k, el) for (k, _p), el in zip(chunk, elements, strict=True)]


class EndpointsMixin:
    """Read and write calls; every method returns Xero's JSON as plain dicts."""

    # -- reads --------------------------------------------------------------------
    def iter_pages(self, method, **kwargs):
        """Yield the pages (``XeroPage``) of the paged read ``method`` (the name of a
        ``get_*`` of this client) from page 1 until Xero says there is no more."""
        page = 1
        while True:
            batch = getattr(self, method)(page=page, **kwargs)
            yield batch
            if not batch.has_more:
                return
            page += 1

    def _get_list(
        self,
        operation,
        collection,
        query,
        if_modified_since=None,
        page=None,
        page_size=None,
        path=None,
    ):
        if if_modified_since and not any(name == "order" for name, _v in query):
            # Pages of an incremental read in the order of the cursor that follows them.
            query = [*query, ("order", "UpdatedDateUTC ASC")]
        payload = (
            self.request(
                operation,
                "GET",
                path or "/" + collection,
                query=query,
                if_modified_since=utc_header_date(if_modified_since) if if_modified_since else None,
            )
            or {}
        )
        if not isinstance(payload, dict):
            raise XeroResponseError(f"unexpected answer shape for {collection}")
        return XeroPage(payload.get(collection) or [], payload.get("pagination"), page, page_size)

    def get_organisation(self):
        """The connected organisation (Name, BaseCurrency, CountryCode, ...)."""
        orgs = self._get_list("get_organisation", "Organisations", [], path="/Organisation")
        if not orgs:
            raise XeroResponseError("Xero returned no organisation")
        return orgs[0]

    def get_accounts(self, where=None, order=None, if_modified_since=None):
        return self._get_list(
            "get_accounts", "Accounts", _query(where=where, order=order), if_modified_since
        )

    def get_tax_rates(self, where=None, order=None):
        return self._get_list("get_tax_rates", "TaxRates", _query(where=where, order=order))

    def get_tracking_categories(self, where=None, order=None, include_archived=False):
        return self._get_list(
            "get_tracking_categories",
            "TrackingCategories",
            _query(where=where, order=order, includeArchived=include_archived),
        )

    def get_currencies(self, where=None, order=None):
        return self._get_list("get_currencies", "Currencies", _query(where=where, order=order))

    def get_items(self, where=None, order=None, if_modified_since=None, unitdp=None):
        return self._get_list(
            "get_items", "Items", _query(where=where, order=order, unitdp=unitdp), if_modified_since
        )

    def get_contacts(
        self,
        page=None,
        search_term=None,
        where=None,
        ids=None,
        if_modified_since=None,
        include_archived=False,
        page_size=None,
        order=None,
        summary_only=False,
    ):
        params = {
            "where": where,
            "order": order,
            "IDs": None,
            "page": page,
            "includeArchived": include_archived,
            "summaryOnly": summary_only,
            "searchTerm": search_term,
            "pageSize": page_size,
        }
        return self._read_by_ids("get_contacts", "Contacts", params, ids, if_modified_since)

    def get_invoices(
        self,
        page=None,
        where=None,
        ids=None,
        invoice_numbers=None,
        contact_ids=None,
        statuses=None,
        if_modified_since=None,
        include_archived=False,
        created_by_my_app=False,
        summary_only=False,
        page_size=None,
        search_term=None,
        order=None,
        unitdp=None,
    ):
        """Invoices and bills (ACCPAY). Pass ``page`` to get line items. Without
        ``page``, a long ``ids`` list is read in as many calls as Xero's URLs need."""
        params = {
            "where": where,
            "order": order,
            "IDs": None,
            "InvoiceNumbers": invoice_numbers,
            "ContactIDs": contact_ids,
            "Statuses": statuses,
            "page": page,
            "includeArchived": include_archived,
            "createdByMyApp": created_by_my_app,
            "unitdp": unitdp,
            "summaryOnly": summary_only,
            "pageSize": page_size,
            "searchTerm": search_term,
        }
        return self._read_by_ids("get_invoices", "Invoices", params, ids, if_modified_since)

    def get_credit_notes(
        self,
        page=None,
        where=None,
        if_modified_since=None,
        order=None,
        page_size=None,
        unitdp=None,
        include_archived=False,
    ):
        """Credit notes; ``include_archived`` adds the DELETED ones, which Xero leaves
        out otherwise (as for invoices, although Xero's spec does not list it here)."""
        query = _query(
            where=where,
            order=order,
            page=page,
            unitdp=unitdp,
            pageSize=page_size,
            includeArchived=include_archived,
        )
        return self._get_list(
            "get_credit_notes", "CreditNotes", query, if_modified_since, page, page_size
        )

    def get_purchase_orders(
        self,
        page=None,
        status=None,
        date_from=None,
        date_to=None,
        if_modified_since=None,
        order=None,
        page_size=None,
    ):
        query = _query(
            Status=status,
            DateFrom=date_from and str(date_from),
            DateTo=date_to and str(date_to),
            order=order,
            page=page,
            pageSize=page_size,
        )
        return self._get_list(
            "get_purchase_orders", "PurchaseOrders", query, if_modified_since, page, page_size
        )

    def get_payments(
        self, page=None, where=None, if_modified_since=None, order=None, page_size=None
    ):
        query = _query(where=where, order=order, page=page, pageSize=page_size)
        return self._get_list("get_payments", "Payments", query, if_modified_since, page, page_size)

    # -- reads that Xero's URL length limit splits ---------------------------------
    def _chunks_fitting(self, path, make_query, values):
        """``values`` in consecutive lists such that GET ``path`` with
        ``make_query(list)`` stays within the URL budget."""
        chunk = []
        for value in values:
            if chunk and not self.url_fits(path, make_query([*chunk, value])):
                yield chunk
                chunk = []
            if not chunk and not self.url_fits(path, make_query([value])):
                raise XeroRequestTooLong(f"{path}: one value alone is too long for a URL")
            chunk.append(value)
        if chunk:
            yield chunk

    def _read_by_ids(self, operation, collection, params, ids, if_modified_since=None):
        """GET ``collection`` with the query ``params`` (names as Xero spells them) and
        ``ids`` in its IDs filter. A page (``params['page']``) is one call; without a
        page a long ``ids`` list is read in as many calls as Xero's URLs need."""
        page, page_size = params.get("page"), params.get("pageSize")

        def query(chunk):
            return _query(**{**params, "IDs": chunk})

        def fetch(chunk):
            return self._get_list(
                operation, collection, query(chunk), if_modified_since, page, page_size
            )

        if not ids or page is not None:
            return fetch(ids)
        records = XeroPage([])
        for chunk in self._chunks_fitting("/" + collection, query, _unique(ids)):
            records.extend(fetch(chunk))
        return records

    def _where_any(self, operation, collection, terms, extra=None):
        """Records matching one of the ``where`` ``terms`` (OR-ed), in as many calls
        as Xero's URLs need."""
        path = "/" + collection

        def query(chunk):
            return _query(where=" OR ".join(chunk), **(extra or {}))

        records = XeroPage([])
        for chunk in self._chunks_fitting(path, query, _unique(terms)):
            records.extend(self._get_list(operation, collection, query(chunk), path=path))
        return records

    def get_by_ids(self, kind, ids):
        """The records of ``kind`` with these Xero ids (any number of them), in as few
        calls as Xero's URL length allows; ids Xero does not know are left out."""
        spec = kind_of(kind)
        ids = _unique(ids)
        if not ids:
            return []
        if kind == "invoices":
            return self.get_invoices(ids=ids)
        if kind == "contacts":
            return self.get_contacts(ids=ids, include_archived=True)
        if kind in ("credit_notes", "payments"):
            terms = [f"{spec.id_field}==guid({literal(i)})" for i in ids]
            return self._where_any(f"get_{kind}", spec.collection, terms)
        return [self.get_record(kind, i) for i in ids]  # no id filter in Xero

    def find_contacts(self, names=(), tax_numbers=(), numbers=()):
        """Contacts (archived included) named one of ``names``, with one of
        ``tax_numbers`` or holding one of the contact ``numbers`` (compared as Xero's
        ``==``: ignoring case).

        Names go in ``where`` filters split to fit Xero's URLs; a name Xero could not
        parse in a filter (a double quote, a backslash) or too long for a URL is
        searched with ``searchTerm`` and matched exactly here. A tax number that cannot
        go in a filter is not looked up (Xero has no other search on it).
        """
        names, tax_numbers = _unique(names), _unique(tax_numbers)
        extra = {"includeArchived": True}

        def fits(term):
            return self.url_fits("/Contacts", _query(where=term, **extra))

        fitting, searched = [], []
        for name in names:
            term = can_quote(name) and f"Name=={literal(name)}"
            if term and fits(term):
                fitting.append(term)
            else:
                searched.append(name)
        for number in tax_numbers:
            term = can_quote(number) and f"TaxNumber=={literal(number)}"
            if term and fits(term):
                fitting.append(term)
        for number in _unique(numbers):
            term = can_quote(number) and f"ContactNumber=={literal(number)}"
            if term and fits(term):
                fitting.append(term)
        found = {}
        for contact in self._where_any("get_contacts", "Contacts", fitting, extra):
            found[contact.get("ContactID")] = contact
        for name in searched:
            for contact in self._search_contacts(name):
                if same_text(contact.get("Name"), name):
                    found[contact.get("ContactID")] = contact
        return list(found.values())

    def _search_contacts(self, text):
        """Contacts whose searchable fields contain ``text`` (or the longest prefix of
        it a URL can carry)."""
        term = text
        while len(term) > 1 and not self.url_fits(
            "/Contacts", _query(searchTerm=term, includeArchived=True, page=SEARCH_PAGES_MAX)
        ):
            term = term[:-1]
        pages = self.iter_pages("get_contacts", search_term=term, include_archived=True)
        return [r for batch in islice(pages, SEARCH_PAGES_MAX) for r in batch]

    def get_record(self, kind, xero_id):
        """One record by Xero id (``kind`` as in ``send_batch``); XeroNotFound if gone."""
        spec = kind_of(kind)
        payload = self.request(
            f"get_{kind}_by_id",
            "GET",
            "/{}/{}".format(spec.collection, quote(str(xero_id), safe="")),
        )
        records = (payload or {}).get(spec.collection) or []
        if not records:
            raise XeroResponseError(f"Xero returned no {spec.collection} for {xero_id}")
        return records[0]

    # -- batched writes -----------------------------------------------------------
    def send_batch(self, kind, records, create_only=False, chunk_size=CHUNK_SIZE, unitdp=None):
        """Create or update ``records`` = [(key, payload), ...] in chunks of at most 50.

        An element may carry a third item, the reference of the record it is sent for
        (``(key, payload, ref)``): each chunk's call is then logged against the
        references of its own elements (else against the client's ``concerns``).

        Returns one ``BatchResult`` per record, in the order given, under the caller's
        key: ``ok``, ``xero_id``, ``status``, ``errors``, ``warnings``, ``record`` and the
        chunk's ``idempotency_key``. That key is made from the chunk's keys and payloads,
        so sending the same chunk again after a lost answer creates nothing new.

        Keys: keep a record's key unchanged while its last outcome is unknown (e.g.
        ``db_uuid/account.move/42/<write_date>``) and change it when a new attempt must be
        a new write (after Xero refused it, add a counter), or Xero replays the refusal.

        A chunk that fails as a whole gives its elements ``exception`` (``.retryable``;
        ``maybe_committed`` when Xero may have created them: resend the same chunk, or
        look the documents up, before creating them again). After a rate-limit, auth or
        network failure the remaining chunks are not sent and fail the same way.
        ``create_only`` uses PUT (create) instead of POST (update or create); ``unitdp=4``
        keeps four decimals on unit prices (invoices and credit notes).
        """
        spec = kind_of(kind)
        method = "PUT" if (create_only or spec.put_only) else "POST"
        operation = "{}_{}".format("create" if method == "PUT" else "save", kind)
        records, refs = split_refs(records)
        results, stop = [], None
        for chunk, chunk_refs in zip(
            chunks(records, chunk_size), chunks(refs, chunk_size), strict=True
        ):
            key = chunk_key(operation, self.tenant_id, chunk)
            if stop is not None:
                done = failed_results(chunk, stop)
            else:
                concerns = [r for r in chunk_refs if r is not None] or None
                done, stop = self._send_chunk(spec, method, operation, chunk, key, unitdp, concerns)
            for result in done:
                result.idempotency_key = key
            results.extend(done)
        return results

    def _send_chunk(self, spec, method, operation, chunk, key, unitdp=None, concerns=None):
        """Send one chunk; return (results, error that must stop the batch or None)."""
        query = [("summarizeErrors", "false")]
        if unitdp:
            query.append(("unitdp", str(unitdp)))
        try:
            payload = self.request(
                operation,
                method,
                "/" + spec.collection,
                query=query,
                body={spec.collection: [p for _k, p in chunk]},
                idempotency_key=key,
                concerns=concerns,
            )
        except (XeroRateLimited, XeroAuthError, XeroTransientError) as exc:
            return failed_results(chunk, exc), exc
        except XeroError as exc:
            elements = exc.payload.get("Elements") if isinstance(exc.payload, dict) else None
            if isinstance(elements, list) and len(elements) == len(chunk):
                return _element_results(spec, chunk, elements), None
            return failed_results(chunk, exc), None
        elements = payload.get(spec.collection) if isinstance(payload, dict) else None
        if not isinstance(elements, list) or len(elements) != len(chunk):
            exc = XeroResponseError(
                f"it does not list the {len(chunk)} records sent ({len(elements or [])} listed)"
            )
            return failed_results(chunk, exc), None
        return _element_results(spec, chunk, elements), None

    # -- single writes ------------------------------------------------------------
    def _write_one(
        self, operation, method, path, body, key_parts, idempotency_key=None, query=None
    ):
        key = idempotency_key or derive_key(operation, self.tenant_id, *key_parts)
        return self.request(operation, method, path, query=query, body=body, idempotency_key=key)

    def set_status(self, kind, xero_id, status, idempotency_key=None):
        """Move a record to ``status`` (VOIDED, DELETED, AUTHORISED; contacts: ARCHIVED)."""
        spec = kind_of(kind)
        if not spec.status_field:
            raise ValueError(f"Xero {spec.collection} have no status")
        body = {spec.collection: [{spec.id_field: xero_id, spec.status_field: status}]}
        payload = self._write_one(
            "set_status_" + kind,
            "POST",
            "/{}/{}".format(spec.collection, quote(str(xero_id), safe="")),
            body,
            (xero_id, status),
            idempotency_key,
        )
        records = (payload or {}).get(spec.collection) or [{}]
        return records[0]

    def delete_payment(self, payment_id, idempotency_key=None):
        """Delete a payment (payments cannot be edited: delete and re-create)."""
        payload = self._write_one(
            "delete_payment",
            "POST",
            "/Payments/{}".format(quote(str(payment_id), safe="")),
            {"Status": "DELETED"},
            (payment_id,),
            idempotency_key,
        )
        return ((payload or {}).get("Payments") or [{}])[0]

    def allocate_credit_note(
        self, credit_note_id, invoice_id, amount, date=None, idempotency_key=None
    ):
        """Apply an AUTHORISED credit note to an invoice or bill; returns the allocation."""
        allocation = clean({"Amount": amount, "Invoice": {"InvoiceID": invoice_id}, "Date": date})
        payload = self._write_one(
            "allocate_credit_note",
            "PUT",
            "/CreditNotes/{}/Allocations".format(quote(str(credit_note_id), safe="")),
            {"Allocations": [allocation]},
            (credit_note_id, digest(allocation)),
            idempotency_key,
            query=[("summarizeErrors", "false")],
        )
        allocations = (payload or {}).get("Allocations") or [{}]
        errors = [e.get("Message") for e in allocations[0].get("ValidationErrors") or []]
        if errors:
            raise XeroValidationError(errors)
        return allocations[0]

    def add_history(self, kind, xero_id, text, idempotency_key=None):
        """Add a note to a record's History (split into 250-character records).

        The same text on the same record is written once (its key derives from both);
        pass ``idempotency_key`` to write an identical note again.
        """
        spec = kind_of(kind)
        records = [{"Details": part} for part in split_text(text)]
        if not records:
            return []
        payload = self._write_one(
            "add_history_" + kind,
            "PUT",
            "/{}/{}/History".format(spec.collection, quote(str(xero_id), safe="")),
            {"HistoryRecords": records},
            (xero_id, digest(records)),
            idempotency_key,
        )
        return (payload or {}).get("HistoryRecords") or []

    def get_history(self, kind, xero_id):
        """A record's History & Notes: [{Changes, Details, User, DateUTC}, ...]."""
        spec = kind_of(kind)
        path = "/{}/{}/History".format(spec.collection, quote(str(xero_id), safe=""))
        return self._get_list(f"get_history_{kind}", "HistoryRecords", [], path=path)

    def get_attachments(self, kind, xero_id):
        """The files a record holds in Xero: [{AttachmentID, FileName, ...}]."""
        spec = kind_of(kind)
        path = "/{}/{}/Attachments".format(spec.collection, quote(str(xero_id), safe=""))
        return self._get_list(f"get_attachments_{kind}", "Attachments", [], path=path)

    def upload_attachment(
        self, kind, xero_id, filename, data, include_online=False, idempotency_key=None
    ):
        """Attach a file (raw bytes) to a record; the same filename replaces the old one."""
        spec = kind_of(kind)
        # Xero fails on names ending in spaces (XeroAPI/xero-node#763) and wants the
        # rest percent-encoded in the path, spaces as %20 (Xero-NetStandard#570).
        filename = filename.strip()
        bad = sorted(BAD_FILENAME_CHARS.intersection(filename))
        if not filename.strip():
            raise XeroValidationError(["The attachment has no file name"])
        if bad:
            shown = " ".join(repr(c) for c in bad)
            raise XeroValidationError([f"Xero does not accept {shown} in file names"])
        path = "/{}/{}/Attachments/{}".format(
            spec.collection, quote(str(xero_id), safe=""), quote(filename, safe="")
        )
        key = idempotency_key or derive_key(
            "upload_attachment", self.tenant_id, kind, xero_id, filename, digest(bytes(data))
        )
        payload = self.request(
            "upload_attachment",
            "PUT",
            path,
            query=_query(IncludeOnline=include_online),
            body=bytes(data),
            idempotency_key=key,
            content_type="application/octet-stream",
        )
        return ((payload or {}).get("Attachments") or [{}])[0]


# -- period reads (reconciliation) --------------------------------------------------------
PERIOD_PAGE_SIZE = 1000  # Xero's largest page
IDS_PER_CALL = 40  # invoice ids per ?IDs= call: keeps the URL well under Xero's limit
PERIOD_KINDS = {
    # kind: (collection, id field)
    "invoices": ("Invoices", "InvoiceID"),
    "credit_notes": ("CreditNotes", "CreditNoteID"),
    "purchase_orders": ("PurchaseOrders", "PurchaseOrderID"),
    "payments": ("Payments", "PaymentID"),
}
REPORT_SCOPE = "accounting.reports.read (or accounting.reports.trialbalance.read)"


def date_where(date_from, date_to, field="Date"):
    """Xero's ``where`` for ``field`` between two dates (inclusive)."""

    def literal(day):
        return f"DateTime({day.year}, {day.month:02d}, {day.day:02d})"

    parts = []
    if date_from:
        parts.append(f"{field} >= {literal(date_from)}")
    if date_to:
        parts.append(f"{field} <= {literal(date_to)}")
    return " AND ".join(parts) or None


class PeriodReadsMixin:
    """Everything Xero holds for a period, in as few calls as Xero allows: pages of
    1,000 records in a stable order (by id), plus the Trial Balance report."""

    def iter_period(self, kind, date_from, date_to, page_size=PERIOD_PAGE_SIZE):
        """Yield pages (``XeroPage``) of ``kind``'s records dated in the period.

        Invoices come as summaries (no lines: totals, tax, status and amounts paid are
        all a reconciliation needs); purchase orders are filtered with DateFrom/DateTo,
        the others with a ``where`` on Date."""
        _collection, id_field = PERIOD_KINDS[kind]
        query = {"order": f"{id_field} ASC", "page_size": page_size}
        if kind == "purchase_orders":
            query.update(date_from=date_from, date_to=date_to)
        else:
            query["where"] = date_where(date_from, date_to)
        if kind == "invoices":
            query["summary_only"] = True
        method = {
            "invoices": "get_invoices",
            "credit_notes": "get_credit_notes",
            "purchase_orders": "get_purchase_orders",
        }.get(kind, "get_payments")
        yield from self.iter_pages(method, **query)

    def iter_invoices_by_ids(self, ids):
        """Yield pages of the invoices with these ids, deleted and voided ones included."""
        ids = list(ids)
        for start in range(0, len(ids), IDS_PER_CALL):
            yield self.get_invoices(ids=ids[start : start + IDS_PER_CALL], include_archived=True)

    def get_trial_balance(self, date):
        """Xero's Trial Balance report at ``date`` (the ``ReportWithRow`` dict).

        Raises ``XeroScopeMissing`` when the connection has no reports scope: Xero
        answers 401 AuthorizationUnsuccessful (or 403) although the token is valid."""
        try:
            payload = self.request(
                "get_report_trial_balance",
                "GET",
                "/Reports/TrialBalance",
                query=[("date", str(date))],
            )
        except XeroAuthError as exc:
            detail = exc.detail or ""
            if exc.status == 403 or (exc.status == 401 and "AuthorizationUnsuccessful" in detail):
                raise XeroScopeMissing(REPORT_SCOPE, status=exc.status, detail=detail) from exc
            raise
        reports = (payload or {}).get("Reports") if isinstance(payload, dict) else None
        if not reports or not isinstance(reports[0], dict):
            raise XeroResponseError("Xero returned no Trial Balance report")
        return reports[0]
