"""Personal numbers kept out of the operation log (issue 16).

ID numbers and phones are encrypted in their tables and masked in the change history; the operation
log must not hold them in clear either: a search term typed into a list page reaches the log through
the export's query string, and a free-text detail may quote one. `scrub` masks every ID number and
phone number in a text (full-width digits included); `scrub_query` masks every query-string value that
is a number of seven or more digits (a local landline typed into the search box).
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from .idcard import mask, mask_phone

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ－", "0123456789xX-")
_ID = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9xX]|[0-9]{15})(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])(?:1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")
_NUMBER = re.compile(r"^[0-9xX\- ]+$")


def scrub(text: str) -> str:
    """The text with ID numbers and phone numbers masked (spans found on a half-width copy)."""
    if not text or not isinstance(text, str):
        return text
    plain = text.translate(_FULL_WIDTH)  # same length: spans map back one to one
    spans = [(m.start(), m.end(), "id") for m in _ID.finditer(plain)]
    spans += [(m.start(), m.end(), "phone") for m in _PHONE.finditer(plain)
              if not any(s <= m.start() < e for s, e, _ in spans)]
    for start, end, kind in sorted(spans, reverse=True):
        value = plain[start:end]
        text = text[:start] + (mask(value) if kind == "id" else mask_phone(value)) + text[end:]
    return text


def scrub_value(value: str) -> str:
    plain = value.translate(_FULL_WIDTH)
    if _NUMBER.match(plain) and sum(c.isdigit() for c in plain) >= 7:
        digits = "".join(c for c in plain if c.isdigit() or c in "xX")
        if len(digits) >= 15:
            return mask(digits.upper())
        # A whole phone keeps what the screens show (139****5566); a shorter number would show all of itself.
        return mask_phone(digits) if len(digits) >= 11 else "*" * len(digits)
    return scrub(value)


def scrub_query(query: str) -> str:
    """A urlencoded query string with every number-like value masked."""
    if not query:
        return query
    return urlencode([(k, scrub_value(v)) for k, v in parse_qsl(query, keep_blank_values=True)])


def scrub_data(data):
    """Every string inside a JSON-like structure scrubbed."""
    if isinstance(data, str):
        return scrub(data)
    if isinstance(data, dict):
        return {k: scrub_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [scrub_data(v) for v in data]
    return data
