"""package_search over the catalog: the subset of Solr's query syntax that CKAN clients send.

The catalog is small (tens of datasets), so queries are parsed into a predicate tree and
evaluated over the package dicts in Python. Free text matches substrings after case
folding, which is what Chinese needs: "失信" finds "严重违法失信名单" without a tokenizer.
Supported: `*:*`, words, `field:value`, `field:"quoted"`, `+f:v`, `-f:v`, `NOT`, `f:(a OR b)`,
`a OR b`, `a AND b`, parentheses, trailing `*` wildcards, and ranges `[X TO Y]` / `{X TO Y}`
with `*` and `NOW`.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXACT_FIELDS = {"id", "name", "tags", "groups", "organization", "res_format", "license_id", "state", "capacity",
                "dataset_type", "type", "owner_org", "site_id", "num_resources", "num_tags", "extras_update_frequency"}
TEXT_FIELDS = {"title", "notes", "text", "res_name", "res_description", "author", "maintainer"}
DATE_FIELDS = {"metadata_created", "metadata_modified"}
#: free-text weights, as CKAN's qf "name^4 title^4 tags^2 groups^2 text"
WEIGHTS = {"name": 4, "title": 4, "tags": 2, "groups": 2, "text": 1}
SORT_FIELDS = {"score", "metadata_modified", "metadata_created", "name", "title_string", "title", "id"}
_TOKEN = re.compile(r'\s*(?:(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<range>[\[{][^\]}]*[\]}])|(?P<paren>[()])|'
                    r'(?P<word>(?:[^\s()"\\\[\]{}]|\\.)+))')


class QuerySyntaxError(ValueError):
    pass


Doc = dict[str, list[str]]
Predicate = Callable[[Doc], bool]


def document(package: dict[str, Any]) -> Doc:
    """The searchable fields of a package dict (lower-cased for matching)."""
    resources = package.get("resources") or []
    org = package.get("organization") or {}
    doc = {
        "id": [package["id"]], "name": [package["name"]], "title": [package.get("title") or ""],
        "notes": [package.get("notes") or ""], "tags": [t["name"] for t in package.get("tags") or []],
        "groups": [g["name"] for g in package.get("groups") or []], "organization": [org.get("name") or ""],
        "owner_org": [package.get("owner_org") or ""], "res_format": sorted({r.get("format") or "" for r in resources}),
        "res_name": [r.get("name") or "" for r in resources], "res_description": [r.get("description") or "" for r in resources],
        "license_id": [package.get("license_id") or ""], "state": [package.get("state") or "active"],
        "capacity": ["private" if package.get("private") else "public"], "dataset_type": [package.get("type") or "dataset"],
        "type": [package.get("type") or "dataset"], "site_id": ["gongshi"],
        "num_resources": [str(len(resources))], "num_tags": [str(len(package.get("tags") or []))],
        "metadata_created": [package.get("metadata_created") or ""],
        "metadata_modified": [package.get("metadata_modified") or ""],
        "author": [package.get("author") or ""], "maintainer": [package.get("maintainer") or ""],
    }
    for extra in package.get("extras") or []:
        doc[f"extras_{extra['key']}"] = [str(extra["value"])]
    doc["text"] = [*doc["name"], *doc["title"], *doc["notes"], *doc["tags"], *doc["groups"],
                   *[g.get("title") or "" for g in package.get("groups") or []], org.get("title") or "",
                   *doc["res_name"], *doc["res_description"]]
    return {k: [v.casefold() for v in vals] for k, vals in doc.items()}


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return re.sub(r"\\(.)", r"\1", text)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _bound(text: str, default: str) -> str:
    text = text.strip()
    if text == "*":
        return default
    if text.upper().startswith("NOW"):
        return _now()
    return text.rstrip("Z")


def value_matcher(field: str | None, raw: str) -> Predicate:
    """A predicate for one value in one field (None: free text over the weighted fields)."""
    if raw.startswith(("[", "{")):
        if field not in DATE_FIELDS and field is not None and field not in EXACT_FIELDS:
            raise QuerySyntaxError(f"cannot apply a range to {field}")
        match = re.fullmatch(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])", raw)
        if not match:
            raise QuerySyntaxError(f"bad range {raw}")
        lo, hi = _bound(match[2], "").casefold(), _bound(match[3], "\uffff").casefold()
        lo_incl, hi_incl = match[1] == "[", match[4] == "]"

        def in_range(doc: Doc) -> bool:
            return any((v >= lo if lo_incl else v > lo) and (v <= hi if hi_incl else v < hi)
                       for v in doc.get(field or "metadata_modified", []))
        return in_range
    value = _unquote(raw).casefold()
    if field is None:
        return lambda doc: any(value in v for f in WEIGHTS for v in doc.get(f, []))
    if field in TEXT_FIELDS:
        return lambda doc: any(value in v for v in doc.get(field, []))
    if field not in EXACT_FIELDS and field not in DATE_FIELDS and not field.startswith("extras_"):
        raise QuerySyntaxError(f"undefined field {field}")
    if value == "*":
        return lambda doc: any(doc.get(field, []))
    if value.endswith("*"):
        prefix = value[:-1]
        return lambda doc: any(v.startswith(prefix) for v in doc.get(field, []))
    return lambda doc: value in doc.get(field, [])


@dataclass
class _Parser:
    tokens: list[tuple[str, str]]
    pos: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self, field: str | None = None) -> Predicate:
        """clauses joined by OR/AND (implicit AND); +clause required, -clause/NOT excluded."""
        groups: list[list[Predicate]] = [[]]
        while (token := self.peek()) is not None and token != ("paren", ")"):
            if token == ("word", "OR"):
                self.take()
                groups.append([])
                continue
            if token == ("word", "AND"):
                self.take()
                continue
            groups[-1].append(self.clause(field))
        alternatives = [g for g in groups if g]
        if not alternatives:
            return lambda doc: True
        return lambda doc: any(all(p(doc) for p in g) for g in alternatives)

    def clause(self, field: str | None) -> Predicate:
        kind, text = self.take()
        negate = False
        if kind == "word" and text == "NOT":
            return _negate(self.clause(field))
        if kind == "word" and text[0] in "+-" and len(text) > 1:
            negate, text = text[0] == "-", text[1:]
        elif kind == "word" and text in "+-" and self.peek() is not None:
            negate = text == "-"
            kind, text = self.take()
        predicate = self.atom(kind, text, field)
        return _negate(predicate) if negate else predicate

    def atom(self, kind: str, text: str, field: str | None) -> Predicate:
        if kind == "paren":
            if text != "(":
                raise QuerySyntaxError("unbalanced parenthesis")
            inner = self.expression(field)
            if self.peek() != ("paren", ")"):
                raise QuerySyntaxError("unbalanced parenthesis")
            self.take()
            return inner
        if kind == "word" and text == "*:*":
            return lambda doc: True
        if kind == "word" and ":" in text and not text.startswith(":"):
            name, _, rest = text.partition(":")
            if rest:
                return value_matcher(name, rest)
            following = self.take() if self.peek() is not None else ("word", "")
            return self.atom(*following, field=name)
        return value_matcher(field, text)


def _negate(predicate: Predicate) -> Predicate:
    return lambda doc: not predicate(doc)


def tokenize(query: str) -> list[tuple[str, str]]:
    tokens, pos, query = [], 0, query.strip()
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if not match or match.end() == pos:
            raise QuerySyntaxError(f"cannot parse the query near {query[pos:pos + 20]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    # a range after "field:" arrives as a separate token: glue it back
    glued: list[tuple[str, str]] = []
    for kind, text in tokens:
        if glued and kind in ("range", "quoted") and glued[-1][0] == "word" and glued[-1][1].endswith(":"):
            glued[-1] = ("word", glued[-1][1] + text)
        else:
            glued.append((kind, text))
    return glued


def parse(query: str | None) -> Predicate:
    """Compile a query string into a predicate over documents."""
    if not query or query.strip() in ("*:*", '""', "''"):
        return lambda doc: True
    parser = _Parser(tokenize(query))
    predicate = parser.expression()
    if parser.peek() is not None:
        raise QuerySyntaxError("unbalanced parenthesis")
    return predicate


def score(query: str | None, doc: Doc) -> int:
    """How well the free-text words of a query match (CKAN's field weights)."""
    if not query:
        return 0
    words = [_unquote(w).casefold() for k, w in tokenize(query) if k in ("word", "quoted") and ":" not in w
             and w not in ("AND", "OR", "NOT")]
    return sum(weight for w in words for f, weight in WEIGHTS.items() if any(w.lstrip("+-") in v for v in doc.get(f, [])))


def sort_key(sort: str) -> list[tuple[str, bool]]:
    """Parse `field dir, field dir`; raises on fields CKAN's index would not know."""
    out = []
    for part in sort.split(","):
        bits = part.split()
        if not bits:
            continue
        if len(bits) > 2 or bits[0] not in SORT_FIELDS or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise QuerySyntaxError('Invalid "sort" parameter')
        out.append((bits[0], len(bits) == 2 and bits[1].lower() == "desc"))
    return out
