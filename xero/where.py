"""Building Xero ``where`` filters Xero can parse.

Xero's filter parser has no escape for a double quote inside a string literal
(``Name=="Acme \\"Global\\""`` answers 400 QueryParseException, XeroAPI/Xero-Java#347),
and calling a method such as ``Contains`` on an optional field that is empty on one
record fails the whole call (freakboy3742/pyxero#181, confirmed by Xero). So text that
cannot be written safely is never put in a filter: callers look it up another way
(``searchTerm``, ids, or a wider read matched here with ``matches``).
"""

UNSAFE = ('"', "\\")


def can_quote(text):
    """True when ``text`` can be written as a ``where`` string literal."""
    return not any(c in str(text) for c in UNSAFE)


def literal(text):
    """``text`` as a ``where`` string literal; ValueError when Xero could not parse it."""
    text = str(text)
    if not can_quote(text):
        raise ValueError(f"{text!r} cannot be written in a Xero where filter")
    return f'"{text}"'


def contains_any(fields, text):
    """A filter: one of ``fields`` contains ``text`` (case-insensitive in Xero), each
    field guarded against being empty; None when ``text`` cannot go in a filter (then
    read without it and keep the records ``matches`` accepts)."""
    if not can_quote(text):
        return None
    term = literal(text)
    return " OR ".join(f"({f} != null AND {f}.Contains({term}))" for f in fields)


def matches(record, fields, text):
    """What ``contains_any`` selects, decided here: one of ``fields`` contains ``text``."""
    needle = str(text).casefold()
    return any(needle in str(record.get(f) or "").casefold() for f in fields)


def same_text(a, b):
    """Xero's ``==`` on text: equal ignoring case."""
    return str(a or "").casefold() == str(b or "").casefold()
