"""Online presences: a firm declares its shops and websites, a platform lists its merchants in bulk, marks are issued.

Each call is one command in the house's way (load by natural key, call the domain, save what it
touched in one transaction, catch the read models up). A platform's list is all or nothing: every
row is checked first, and one bad row refuses the list naming `rows[i].field` with nothing saved.
A claim by a second credit code is refused (409 naming the field) after its flag (`Contested`) is
saved on its own: the flag is what the market regulator needs, the refused claim is not kept.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from application.ledger import Ledger
from domain import online
from domain.errors import ConflictError, FieldError, ForbiddenError, NotFoundError, ValidationFailed
from domain.online import FIRM, PLATFORM, OnlinePresence
from domain.records import entity_id
from domain.reports import canonical
from projections import heads

MAX_ROWS = 5000


class Online:
    def __init__(self, ledger: Ledger, signer: Callable[[], Any], catch_up: Callable[[], None]):
        self.ledger, self.signer, self.catch_up = ledger, signer, catch_up

    def _operator_name(self, code: str, field: str) -> str:
        entity = self.ledger.get_or_none(entity_id(code))
        if entity is None:
            raise NotFoundError(field, "unknown_entity", f"本平台没有统一社会信用代码为 {code} 的市场主体，请核对",
                                f"no market entity {code} here; check the code")
        return entity.fields.get("name", "")

    def declare(self, credit_code: str, data: Any, today: dt.date, submitter: str) -> tuple[str, int]:
        """The firm declares one of its shops or websites: (presence key, log position)."""
        fields = online.check_presence(data, FIRM)
        name = self._operator_name(credit_code, "credit_code")
        return self._claim([(fields, credit_code, None, name)], FIRM, today, submitter)[0], self.ledger.position()

    def declare_from_annual_report(self, credit_code: str, shops: Any, today: dt.date, submitter: str) -> list[dict]:
        """The shops an annual report lists (`online_shops`), declared as the firm's presences when their address
        is a catalog platform's shop page; what cannot be declared is said, never raised (the report is filed).
        Websites are not declared from a report: it carries no ICP filing number, which the mark shows."""
        outcomes = []
        for entry in shops or []:
            found = online.shop_from_url(str(entry.get("url", ""))) if entry.get("kind") == "网店" else None
            if found is None:
                outcomes.append({"url": entry.get("url"), "declared": False, "why": "not a catalog platform's shop"
                                 if entry.get("kind") == "网店" else "websites are declared with their ICP number"})
                continue
            try:
                key, _ = self.declare(credit_code, {"type": online.PLATFORM_SHOP, **found,
                                                    "name": str(entry.get("name", ""))[:80]}, today, submitter)
                outcomes.append({"url": entry.get("url"), "declared": True, "presence_key": key})
            except ValidationFailed as e:
                outcomes.append({"url": entry.get("url"), "declared": False, "why": e.errors[0].en})
        return outcomes

    def submit_list(self, platform_operator: str, rows: Any, today: dt.date, submitter: str) -> dict[str, Any]:
        """A platform's merchant list: every row of its own platform, each a shop with its operator's credit code
        or an exemption basis. All rows or none."""
        platform = online.platform_of_operator(platform_operator)
        if platform is None:
            raise ForbiddenError("platform", "not_a_platform", f"{platform_operator} 不是本市网络交易平台目录中的平台经营者",
                                 f"{platform_operator} operates no platform in the catalog")
        if not isinstance(rows, list) or not rows or len(rows) > MAX_ROWS:
            raise ValidationFailed([FieldError("rows", "rows", f"rows 应为 1 至 {MAX_ROWS} 行的列表",
                                               f"rows must be a list of 1 to {MAX_ROWS} rows")])
        checked: list[Any] = []
        errors: list[FieldError] = []
        first: ValidationFailed | None = None
        for i, row in enumerate(rows):
            try:
                fields = online.check_presence(row, PLATFORM, i)
                if fields["type"] != online.PLATFORM_SHOP or fields["platform"] != platform["key"]:
                    raise ForbiddenError(f"rows[{i}].platform", "other_platform",
                                         f"第 {i + 1} 行不是本平台（{platform['name']}）的网店", "a platform lists only "
                                         f"its own shops (platform {platform['key']!r})")
                code = fields.pop("credit_code", None)
                name = self._operator_name(code, f"rows[{i}].credit_code") if code else None
                checked.append((fields, code, fields.pop("exempt", None), name))
            except ValidationFailed as e:
                errors.extend(e.errors)
                first = first or e
        if first is not None:
            raise refusal_like(first, errors)
        keys = [online.presence_key(f) for f, *_ in checked]
        if len(set(keys)) != len(keys):
            dup = next(i for i, k in enumerate(keys) if keys.index(k) != i)
            raise ValidationFailed([FieldError(f"rows[{dup}].shop_id", "duplicate", f"第 {dup + 1} 行与前面的行是同一网店",
                                               "the same shop appears twice in the list")])
        self._claim(checked, PLATFORM, today, submitter)
        return {"platform": platform["key"], "rows": len(checked), "position": self.ledger.position()}

    def _claim(self, claims: Sequence[tuple[dict[str, Any], str | None, str | None, str | None]], by: str,
               today: dt.date, submitter: str) -> list[str]:
        """Save every claim, or flag each contradicted presence and refuse them all."""
        contested: list[tuple[int, OnlinePresence, str | None]] = []

        def command() -> list[Any]:
            contested.clear()
            touched = []
            for i, (fields, code, exempt, name) in enumerate(claims):
                key = online.presence_key(fields)
                presence = self.ledger.get_or_none(online.presence_id(key)) or OnlinePresence(key=key)
                if presence.other_claimant(code):
                    contested.append((i, presence, code))
                    continue
                presence.trigger_event(OnlinePresence.Claimed, by=by, credit_code=code, exempt=exempt, fields=fields,
                                       operator_name=name, on=today.isoformat(), submitter=submitter)
                if presence.status == "confirmed" and presence.mark is None and code:
                    self._issue(presence, code, name or "", today)
                touched.append(presence)
            return [] if contested else touched

        self.ledger.execute(command)
        if contested:
            flags = []
            for _, presence, code in contested:
                presence.trigger_event(OnlinePresence.Contested, by=by, claimant=code or "exempt",
                                       on=today.isoformat(), submitter=submitter)
                flags.append(presence)
            self.ledger.execute(lambda: flags)
            self.catch_up()
            prefix = "rows[{}]." if by == PLATFORM else ""
            raise refusal_like(ConflictError("", "", "", ""), [FieldError(
                (prefix.format(i) if prefix else "") + ("shop_id" if p.fields.get("type") == online.PLATFORM_SHOP
                                                         else "domain"), "claimed_by_another",
                f"该网络经营场所已由 {p.credit_code or '依法无需登记的个人'} 申报，已提交市场监管部门核查",
                f"this presence is held by {p.credit_code or 'an exempt individual'}; flagged for the market regulator")
                for i, p, _ in contested])
        self.catch_up()
        return [online.presence_key(f) for f, *_ in claims]

    def settle(self, department: str, presence_key: str, credit_code: str, reason: str | None, today: dt.date,
               submitter: str) -> int:
        """The market regulator decides who operates a contested presence; a mark is issued to it."""
        regulator = next(d.code for d in self.ledger.catalog.departments.values()
                         if d.key == online.rules()["market_regulator"])
        if department != regulator:
            raise ForbiddenError("department", "not_the_regulator", "网络经营场所的争议由市场监管部门处理",
                                 "a contested presence is settled by the market regulator")
        text = (reason or "").strip()
        if not text:
            raise ValidationFailed([FieldError("reason", "required", "请说明处理理由", "a reason is required")])
        code = online.normalise_code(credit_code)
        name = self._operator_name(code, "credit_code")
        presence = self.ledger.get_or_none(online.presence_id(presence_key))
        if not isinstance(presence, OnlinePresence):
            raise NotFoundError("presence_key", "unknown_presence", f"没有网络经营场所 {presence_key[:80]}",
                                f"no presence {presence_key[:80]!r}")
        first = presence.mark_holder
        presence.settle(code, name, text, today.isoformat(), submitter)
        if presence.fields.get("type") and (first is None or first != code):
            self._issue(presence, code, name, today, holder=code if first else None)
        self.ledger.execute(lambda: [presence])
        self.catch_up()
        return self.ledger.position()

    def _issue(self, presence: OnlinePresence, code: str, name: str, today: dt.date, holder: str | None = None) -> None:
        signer = self.signer()
        if signer is None:
            return  # an instance without a signing key issues no marks (its verifier could not check them)
        payload = online.mark_payload(online.mark_id(presence.key, holder), code, name, presence.fields,
                                      today.isoformat(), online.rules()["mark"]["issuer"])
        signature = heads.sign_message(signer.key, online.MARK_CONTEXT + canonical(payload))
        presence.trigger_event(OnlinePresence.MarkIssued, mark=payload, signature=signature, on=today.isoformat())


def refusal_like(kind: ValidationFailed, errors: list[FieldError]) -> ValidationFailed:
    """A refusal of the same class as `kind` (so the same HTTP status) naming every field in `errors`."""
    refusal = ValidationFailed.__new__(type(kind))
    ValidationFailed.__init__(refusal, errors)
    return refusal
