"""Online presences of market entities (网络经营场所) and the electronic licence mark issued for them (亮照).

An operator declares a shop on a platform (platform, shop id, name) or its own website (domain,
ICP filing number) from its firm account; a platform (its operator's token) lists its merchants in
bulk. One aggregate per presence, keyed by what it is (`shop:{platform}:{shop_id}` or
`site:{domain}`), so the same shop declared twice is the same aggregate and a second credit code
claiming it is seen at once:

- a shop is *confirmed* when the operator's declaration and the platform's list name the same
  credit code; a website when its operator declares it (the firm's account is the proof of who it
  is; the domain and ICP number are what the mark shows, so a copy elsewhere is visibly not for it);
- an individual exempt from registration (schemas/online.json `exempt_bases`) is recorded from
  the platform's list with the basis only: no name, ID or phone is accepted, so none can leak;
- a claim naming another credit code than the presence's is refused, and the presence is marked
  *contested* for the market regulator (the event is the flag; the claim itself is not kept).

A confirmed presence of a registered operator gets its mark in the same transaction: a signed
statement (Ed25519, the instance's log key, over `MARK_CONTEXT` + canonical JSON of `mark_payload`)
of who the operator is and the exact shop or domain it is for. Whether the mark is valid *now*
(operator listed as seriously dishonest, registration revoked) is not in the log: it is read from
the current records whenever the mark is shown (web/online/marks.py), so a listing suspends it on
every surface with the next read.
"""
from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, UUID, uuid5

import idna
from eventsourcing.domain import Aggregate, event
from jsonschema import Draft202012Validator

import schemas
from domain.codes import CodeError, normalise, validate_credit_code
from domain.errors import ConflictError, FieldError, ValidationFailed
from domain.validation import form_errors

MARK_CONTEXT = b"gongshi-mark-v1\n"
#: what mark_id() makes: LZ and 12 base32 characters
MARK_ID = re.compile(r"^LZ[A-Z2-7]{12}$")
PLATFORM_SHOP, WEBSITE = "platform_shop", "website"
FIRM, PLATFORM = "firm", "platform"


@cache
def rules() -> dict[str, Any]:
    """schemas/online.json: platforms, presence types, categories, exempt bases, mark and certification rules."""
    return schemas.load("online.json")


def platforms() -> dict[str, dict[str, Any]]:
    return {p["key"]: p for p in rules()["platforms"]}


def platform_of_operator(credit_code: str) -> dict[str, Any] | None:
    return next((p for p in rules()["platforms"] if p["operator_code"] == credit_code), None)


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schemas.load("online/presence.json"))


def normalise_domain(raw: Any, field: str = "domain") -> str:
    """A host name in its ASCII (punycode) form, lower case: `例子.中国` -> `xn--fsqu00a.xn--fiqs8s`.

    A URL is accepted for its host; anything else that is not a valid host name (IDNA 2008, UTS 46
    mapping) is refused naming the field.
    """
    text = str(raw or "").strip()
    host = urlsplit(text).hostname if "://" in text else text.split("/")[0]
    host = (host or "").rstrip(".")
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        ascii_host = ""
    labels = ascii_host.split(".")
    if len(labels) < 2 or len(ascii_host) > 253 or not labels[-1].isalpha() and not labels[-1].startswith("xn--"):
        raise ValidationFailed([FieldError(field, "domain", f"“{text[:80]}”不是有效的域名（例如 shop.example.cn）",
                                           f"{text[:80]!r} is not a valid domain name (e.g. shop.example.cn)")])
    return ascii_host


def display_domain(ascii_host: str) -> str:
    """The Unicode form of a punycode host, for people (`xn--fsqu00a.xn--fiqs8s` -> `例子.中国`)."""
    try:
        return idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError):
        return ascii_host


def normalise_code(raw: Any, field: str = "credit_code") -> str:
    try:
        return validate_credit_code(normalise(str(raw or "")))[0]
    except CodeError as e:
        raise ValidationFailed([FieldError(field, "credit_code", f"统一社会信用代码无效：{e.zh}", f"{field}: {e.en}")]) from None


def presence_key(presence: dict[str, Any]) -> str:
    if presence["type"] == PLATFORM_SHOP:
        return f"shop:{presence['platform']}:{presence['shop_id']}"
    return f"site:{presence['domain']}"


def presence_id(key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/online-presences/{key}")


def mark_id(key: str, holder: str | None = None) -> str:
    """The mark's public id: 12 base32 characters derived from the presence (and, once the regulator gave it to
    another operator than the first, from that operator too), stable, unguessable enough to be no list."""
    digest = hashlib.sha256(f"gongshi-mark/{key}".encode() + (f"/{holder}".encode() if holder else b"")).digest()
    return "LZ" + base64.b32encode(digest).decode("ascii")[:12]


def shop_url(presence: dict[str, Any]) -> str | None:
    if presence["type"] == PLATFORM_SHOP:
        return platforms()[presence["platform"]]["shop_url"].format(shop_id=presence["shop_id"])
    return f"https://{presence['domain']}/"


def hosts_of(presence: dict[str, Any]) -> tuple[str, ...]:
    """The hosts a mark for this presence may be shown on: the platform's domains, or the website's domain."""
    if presence["type"] == PLATFORM_SHOP:
        return tuple(platforms()[presence["platform"]]["domains"])
    domain = presence["domain"]
    return (domain, f"www.{domain}") if not domain.startswith("www.") else (domain, domain[4:])


def check_presence(data: Any, by: str, index: int | None = None) -> dict[str, Any]:
    """A declaration (by the firm) or a list row (by a platform), trimmed and normalised, or every error by field
    (`rows[3].shop_id` in a list)."""
    prefix = f"rows[{index}]." if index is not None else ""
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError(prefix.rstrip(".") or "body", "type", "应为一个 JSON 对象",
                                           "must be a JSON object")])
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in data.items() if v not in (None, "")}
    errors = [FieldError(prefix + e.field, e.code, e.zh, e.en) for e in form_errors(_validator(), fields)]
    if errors:
        raise ValidationFailed(errors)

    def refuse(field: str, code: str, zh: str, en: str) -> None:
        errors.append(FieldError(prefix + field, code, zh, en))

    kind = fields["type"]
    if kind == PLATFORM_SHOP:
        if fields.get("platform") not in platforms():
            refuse("platform", "unknown_platform", f"平台“{fields.get('platform', '')}”不在本市网络交易平台目录中"
                   f"（可选：{'、'.join(platforms())}）", f"platform must be one of {', '.join(platforms())}")
        if not fields.get("shop_id"):
            refuse("shop_id", "required", "平台内网店须填写平台店铺编号（shop_id）",
                   "a shop needs its platform shop id")
        for extra in ("domain", "icp_number"):
            if extra in fields:
                refuse(extra, "not_for_shops", f"平台内网店不填写 {extra}", f"{extra} is for websites only")
    else:
        for extra in ("platform", "shop_id"):
            if extra in fields:
                refuse(extra, "not_for_websites", f"自建网站不填写 {extra}", f"{extra} is for platform shops only")
        if "icp_number" not in fields:
            refuse("icp_number", "required", "自建网站须填写 ICP 备案号（例如 辽ICP备12345678号-1）",
                   "a website needs its ICP filing number")
        try:
            fields["domain"] = normalise_domain(fields.get("domain"))
        except ValidationFailed as e:
            errors.extend(FieldError(prefix + x.field, x.code, x.zh, x.en) for x in e.errors)
    category = fields.setdefault("category", "general")
    if category not in {c["id"] for c in rules()["categories"]}:
        refuse("category", "unknown_category", f"经营类别“{category}”不在目录中", f"unknown category {category!r}")
    if by == FIRM:
        for extra in ("credit_code", "exempt"):
            if extra in fields:
                refuse(extra, "not_for_firms", "经营者申报的是本企业的网店，不填写 " + extra,
                       f"{extra} is given by platforms only; a firm declares its own presences")
    elif ("credit_code" in fields) == ("exempt" in fields):
        refuse("credit_code", "one_of", "平台报送的每一行须填写经营者的统一社会信用代码，"
               "或依法无需登记的情形（exempt），二者选一",
               "each row needs the operator's credit code or an exemption basis (exempt), not both")
    elif "credit_code" in fields:
        try:
            fields["credit_code"] = validate_credit_code(normalise(str(fields["credit_code"])))[0]
        except CodeError as e:
            refuse("credit_code", "credit_code", f"经营者统一社会信用代码无效：{e.zh}", f"credit_code: {e.en}")
    elif fields["exempt"] not in rules()["exempt_bases"]:
        refuse("exempt", "unknown_basis", f"无需登记的情形应为：{'、'.join(rules()['exempt_bases'])}",
               f"exempt must be one of {', '.join(rules()['exempt_bases'])}")
    if errors:
        raise ValidationFailed(errors)
    return fields


def presence_status(kind: str, exempt: str | None, declared: bool, listed: bool) -> str:
    """Confirmed: a shop its operator declared and its platform listed, an exempt individual its platform listed, a
    website its operator declared; else who has spoken so far (a contest is recorded apart)."""
    if (exempt and listed) or (kind == WEBSITE and declared) or (declared and listed):
        return "confirmed"
    return "declared" if declared else "listed"


def public_presence(fields: dict[str, Any]) -> dict[str, Any]:
    """What the public sees of a presence (everything declared is public: no personal field is accepted)."""
    keep = ("type", "name", "platform", "shop_id", "domain", "icp_number", "category")
    out = {k: fields[k] for k in keep if k in fields}
    if out["type"] == PLATFORM_SHOP:
        out["platform_name"] = platforms()[out["platform"]]["name"]
    out["url"] = shop_url(out)
    return out


def mark_payload(mark: str, credit_code: str, operator_name: str, presence: dict[str, Any], issued_on: str,
                 issuer: str) -> dict[str, Any]:
    """The statement a mark signs: who the operator is and the exact shop or domain, on which day, by whom."""
    return {"mark_id": mark, "credit_code": credit_code, "operator_name": operator_name,
            "presence": public_presence(presence), "issued_on": issued_on, "issuer": issuer}


class OnlinePresence(Aggregate):
    """One shop on one platform, or one website, with who claims it and its mark."""

    TOPIC = "gongshi:OnlinePresence"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:OnlinePresence.Created"

    class Started(Aggregate.Created):
        TOPIC = "gongshi:OnlinePresence.Started"
        key: str

    @staticmethod
    def create_id(key: str) -> UUID:
        return presence_id(key)

    @event(Started)
    def __init__(self, key: str):
        self.key = key
        self.credit_code: str | None = None
        self.exempt: str | None = None
        self.fields: dict[str, Any] = {}
        self.declared = False  # by the operator
        self.listed = False  # by the platform
        self.status = "new"
        self.mark: str | None = None
        self.mark_holder: str | None = None

    class Claimed(Aggregate.Event):
        """A declaration (`by` firm) or a platform's list row (`by` platform); the newest fields win."""

        TOPIC = "gongshi:OnlinePresence.Claimed"
        by: str
        credit_code: str | None
        exempt: str | None
        fields: dict[str, Any]
        operator_name: str | None
        on: str
        submitter: str

        def apply(self, presence: OnlinePresence) -> None:
            presence.credit_code, presence.exempt = self.credit_code, self.exempt
            presence.fields = dict(self.fields)
            presence.declared = presence.declared or self.by == FIRM
            presence.listed = presence.listed or self.by == PLATFORM
            presence.status = presence.derived_status()

    class Contested(Aggregate.Event):
        """Another credit code claimed this presence: the claim is refused, the presence flagged for the regulator."""

        TOPIC = "gongshi:OnlinePresence.Contested"
        by: str
        claimant: str
        on: str
        submitter: str

        def apply(self, presence: OnlinePresence) -> None:
            presence.status = "contested"

    class Settled(Aggregate.Event):
        """The market regulator decided who operates a contested presence; its mark follows the decision."""

        TOPIC = "gongshi:OnlinePresence.Settled"
        credit_code: str
        operator_name: str
        reason: str
        on: str
        submitter: str

        def apply(self, presence: OnlinePresence) -> None:
            presence.credit_code, presence.exempt = self.credit_code, None
            presence.status = "confirmed"

    def settle(self, credit_code: str, operator_name: str, reason: str, on: str, submitter: str) -> None:
        if self.status != "contested":
            raise ConflictError("status", "not_contested", "该网络经营场所没有争议，无需处理",
                                "this presence is not contested")
        self.trigger_event(self.Settled, credit_code=credit_code, operator_name=operator_name, reason=reason, on=on,
                           submitter=submitter)

    class MarkIssued(Aggregate.Event):
        TOPIC = "gongshi:OnlinePresence.MarkIssued"
        mark: dict[str, Any]  # mark_payload(...)
        signature: dict[str, str]
        on: str

        def apply(self, presence: OnlinePresence) -> None:
            presence.mark = self.mark["mark_id"]
            presence.mark_holder = self.mark["credit_code"]

    def derived_status(self) -> str:
        if self.status == "contested":
            return "contested"
        return presence_status(self.fields.get("type", ""), self.exempt, self.declared, self.listed)

    def other_claimant(self, credit_code: str | None) -> bool:
        """Whether a claim for `credit_code` (None: an exempt individual) contradicts who holds this presence."""
        if self.status == "new" or (self.credit_code is None and self.exempt is None):
            return False
        return self.credit_code != credit_code


def mark_status(presence_status: str, operator: dict[str, Any],
                superseded: bool = False) -> tuple[str, list[dict[str, str]]]:
    """("valid" | "suspended", why): read from the operator's current records whenever the mark is shown."""
    reasons = []
    if superseded:
        reasons.append({"id": "superseded", "zh": "市场监管部门已认定该网店由其他经营者经营，本标识作废",
                        "en": "the market regulator found another operator runs this shop: this mark is void"})
    suspended_when = rules()["mark"]["suspended_when"]
    if operator.get("dishonesty_listings"):
        reasons.append({"id": "dishonesty_listing", **suspended_when["dishonesty_listing"]})
    if operator.get("status") not in rules()["mark"]["active_statuses"]:
        reasons.append({"id": "registration", **suspended_when["registration"]})
    if presence_status == "contested":
        reasons.append({"id": "contested", **rules()["statuses"]["contested"]})
    return ("suspended" if reasons else "valid"), reasons


def referrer_check(referrer: str | None, presence: dict[str, Any]) -> dict[str, Any]:
    """Whether the page that linked to the mark is the shop or site it was issued for.

    `match`: the referring page is the website, or the shop's own page on its platform;
    `platform`: a page of the shop's platform, but the browser sent only the origin (the viewer
    compares the shop address shown); `other`: another site, so the mark was copied; `none`: the
    browser sent no referrer (typed in, or a privacy setting).
    """
    if not referrer:
        return {"result": "none", "host": None}
    parts = urlsplit(referrer)
    host = (parts.hostname or "").lower()
    try:
        host = idna.encode(host, uts46=True).decode("ascii").lower() if host else ""
    except (idna.IDNAError, UnicodeError):
        pass
    if host not in hosts_of(presence):
        return {"result": "other", "host": display_domain(host) if host else referrer[:100]}
    if presence["type"] == WEBSITE:
        return {"result": "match", "host": display_domain(host)}
    shop_path = urlsplit(shop_url(presence) or "").path.rstrip("/")
    path = parts.path.rstrip("/")
    if path in ("", "/"):
        return {"result": "platform", "host": host}
    return {"result": "match" if path == shop_path or path.startswith(shop_path + "/") else "other", "host": host}


def shop_from_url(url: str) -> dict[str, Any] | None:
    """The catalog platform shop an address points at ({"platform", "shop_id"}), or None: how a shop listed in an
    annual report (name and address only) is recognised as a presence."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    for entry in rules()["platforms"]:
        pattern = urlsplit(entry["shop_url"])
        prefix, _, suffix = pattern.path.partition("{shop_id}")
        path = parts.path.rstrip("/")
        if (parts.hostname or "").lower() in entry["domains"] and path.startswith(prefix) and path.endswith(suffix):
            shop_id = path[len(prefix):len(path) - len(suffix) if suffix else None]
            if shop_id and "/" not in shop_id:
                return {"platform": entry["key"], "shop_id": shop_id}
    return None
