"""Read-side helpers: Xero's ``where`` expressions, list filters and paging."""

import functools
import re
from datetime import UTC, datetime

from ..xdates import MS_RE as MS_DATE
from ..xdates import parse_datetime
from .base import XeroError, bad_request

TOKEN_RE = re.compile(
    r"""
    \s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
     |(?P<op>==|!=|<>|>=|<=|=|>|<)
     |(?P<lp>\()|(?P<rp>\))|(?P<comma>,)
     |(?P<num>-?\d+(?:\.\d+)?)
     |(?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


class WhereError(ValueError):
    pass


class NullMethodCall(Exception):
    """A method (Contains...) called on a field that is empty on a record."""


def _call_method(field, fn, record):
    value = _get(record, field)
    if value is None:
        # Xero fails the whole call (500 UnknownErrorException) when a filter calls a
        # method on an optional field a record lacks; "Field != null AND ..." guards
        # it (freakboy3742/pyxero#181, confirmed by Xero).
        raise NullMethodCall(field)
    return fn(str(value).lower())


def _tokenize(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise WhereError(f"Unable to parse where clause near '{text[pos : pos + 20]}'")
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class _Parser:
    def __init__(self, tokens):
        self.toks = tokens
        self.i = 0

    def peek(self, kind=None, value=None):
        if self.i >= len(self.toks):
            return None
        tok = self.toks[self.i]
        if kind and tok[0] != kind:
            return None
        if value and tok[1].upper() != value:
            return None
        return tok

    def take(self, kind=None, value=None):
        tok = self.peek(kind, value)
        if tok is None:
            got = self.toks[self.i][1] if self.i < len(self.toks) else "end of expression"
            raise WhereError(f"Unable to parse where clause: unexpected {got}")
        self.i += 1
        return tok

    def parse(self):
        node = self.expr()
        if self.i != len(self.toks):
            raise WhereError(f"Unable to parse where clause: unexpected {self.toks[self.i][1]}")
        return node

    def expr(self):
        node = self.conj()
        while self.peek("word", "OR") or self.peek("op", "||"):
            self.i += 1
            left, right = node, self.conj()
            node = functools.partial(lambda a, b, r: a(r) or b(r), left, right)
        return node

    def conj(self):
        node = self.unary()
        while self.peek("word", "AND") or self.peek("word", "&&"):
            self.i += 1
            left, right = node, self.unary()
            node = functools.partial(lambda a, b, r: a(r) and b(r), left, right)
        return node

    def unary(self):
        if self.peek("word", "NOT"):
            self.i += 1
            inner = self.unary()
            return lambda r: not inner(r)
        if self.peek("lp"):
            self.i += 1
            node = self.expr()
            self.take("rp")
            return node
        return self.comparison()

    def value(self):
        tok = self.take()
        kind, text = tok
        if kind == "str":
            if '\\"' in text:
                # Xero's parser has no escape for a double quote inside a string
                # (XeroAPI/Xero-Java#347): Name=="Acme \"Global\"" is a parse error.
                raise WhereError(f"Unable to parse where clause near '{text[:20]}'")
            return text[1:-1].replace("\\\\", "\\")
        if kind == "num":
            return float(text)
        if kind == "word":
            upper = text.upper()
            if upper in ("TRUE", "FALSE"):
                return upper == "TRUE"
            if upper == "NULL":
                return None
            if upper in ("GUID", "DATETIME", "DATE"):
                self.take("lp")
                args = []
                while not self.peek("rp"):
                    args.append(self.value())
                    if self.peek("comma"):
                        self.i += 1
                self.take("rp")
                if upper == "GUID":
                    return str(args[0]).lower()
                nums = [int(a) for a in args]
                try:
                    return datetime(*nums, tzinfo=UTC)
                except (TypeError, ValueError):
                    raise WhereError(f"Invalid DateTime({', '.join(map(str, nums))})") from None
        raise WhereError(f"Unable to parse where clause: unexpected {text}")

    def comparison(self):
        _kind, field = self.take("word")
        method = None
        for name in ("Contains", "StartsWith", "EndsWith", "ToLower", "ToUpper"):
            if field.endswith("." + name):
                field, method = field[: -len(name) - 1], name
        if method in ("ToLower", "ToUpper"):
            self.take("lp")
            self.take("rp")
            method = None
        if method:
            self.take("lp")
            arg = str(self.value()).lower()
            self.take("rp")
            fn = {
                "Contains": lambda v: arg in v,
                "StartsWith": lambda v: v.startswith(arg),
                "EndsWith": lambda v: v.endswith(arg),
            }[method]
            return functools.partial(_call_method, field, fn)
        if not self.peek("op"):
            # bare boolean field, e.g. "IsSupplier"
            return lambda r: bool(_get(r, field))
        op = self.take("op")[1]
        target = self.value()
        return functools.partial(_compare, field, op, target)


def _get(record, path):
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = {k.lower(): v for k, v in value.items()}
        value = lowered.get(part.lower())
    return value


def _coerce(value, target):
    if isinstance(target, datetime):
        try:
            return parse_datetime(value)
        except (ValueError, TypeError):
            return None
    if isinstance(target, bool):
        return bool(value)
    if isinstance(target, float):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if isinstance(target, str):
        return None if value is None else str(value).lower()
    return value


def _compare(field, op, target, record):
    value = _coerce(_get(record, field), target)
    if isinstance(target, str):
        target = target.lower()
    if op in ("==", "="):
        return value == target
    if op in ("!=", "<>"):
        return value != target
    if value is None or target is None:
        return False
    try:
        return {
            ">": value > target,
            "<": value < target,
            ">=": value >= target,
            "<=": value <= target,
        }[op]
    except TypeError:
        return False


@functools.lru_cache(maxsize=256)
def _compile(text):
    return _Parser(_tokenize(text)).parse()


def compile_where(text):
    """Compile a ``where`` expression to a predicate; syntax errors answer 400, a
    method called on an empty field answers 500 as in Xero."""
    try:
        pred = _compile(text)
    except WhereError as exc:
        raise bad_request(str(exc), number=16, kind="QueryParseException") from None

    def guarded(record):
        try:
            return pred(record)
        except NullMethodCall:
            raise XeroError(
                500,
                {
                    "ErrorNumber": 500,
                    "Type": "UnknownErrorException",
                    "Message": "An error occurred in Xero. Check the API Status page "
                    "http://status.developer.xero.com for current service status.",
                },
            ) from None

    return guarded


def csv_param(args, name):
    raw = args.get(name)
    if not raw:
        return None
    return [p.strip() for p in raw.split(",") if p.strip()]


def modified_since(records, header):
    if not header:
        return records
    try:
        since = parse_datetime(header)
    except ValueError:
        return records
    return [r for r in records if parse_datetime(r.get("UpdatedDateUTC")) > since]


def paginate(records, args, default_size=100, max_size=1000):
    """Return ``(records, pagination or None)`` for the ``page``/``pageSize`` params."""
    page = args.get("page")
    if page is None:
        return records, None
    page = max(int(page), 1)
    size = int(args.get("pageSize") or default_size)
    size = min(max(size, 1), max_size)
    count = len(records)
    page_count = (count + size - 1) // size
    chunk = records[(page - 1) * size : page * size]
    return chunk, {"page": page, "pageSize": size, "pageCount": page_count, "itemCount": count}


def order_records(records, order, default_keys):
    if order:
        parts = [p.strip() for p in order.split(",") if p.strip()]
        for part in reversed(parts):
            bits = part.split()
            field = bits[0]
            desc = len(bits) > 1 and bits[1].upper() == "DESC"
            records = sorted(records, key=lambda r: _sort_key(_get(r, field)), reverse=desc)
        return records
    return sorted(records, key=lambda r: tuple(_sort_key(_get(r, k)) for k in default_keys))


def _sort_key(value):
    if isinstance(value, str) and MS_DATE.match(value):
        return (1, parse_datetime(value).timestamp(), "")
    if isinstance(value, (int, float)):
        return (1, float(value), "")
    return (2, 0, "" if value is None else str(value).lower())
