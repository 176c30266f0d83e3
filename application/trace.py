"""Traceability commands: register a batch, record a movement, a test result, a recall or a sales halt.

Each command validates its body against its JSON Schema (schemas/trace/), loads the batches
it touches, calls the domain (domain/trace.py) and saves everything it touched in one
transaction through `Ledger.execute`: a split stores the parent's movement and every
sub-batch together, processing stores every input's consumption and the output batch
together, or nothing. The answer comes after the read models have caught up.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

import schemas
from application.ledger import Ledger, existing_ids
from domain import trace, trace_codes
from domain.codes import CodeError, validate_credit_code
from domain.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from domain.privacy import scrub_text
from domain.records import digest, entity_id
from domain.trace import PROCESSED, RECEIVED, SPLIT, TraceActor, TraceBatch, batch_id, check_day, quantity
from domain.validation import form_errors

ORDERS = {"recalled": trace.RECALL, "halted": trace.HALT}
#: How far up the parents a recall or halt reaches down (a batch's lineage is short; this bounds a loop).
MAX_DEPTH = 32


class UnknownCode(NotFoundError):
    """No batch has this code; `extra` carries the issued codes one typing error away."""

    def __init__(self, code: str, suggestions: list[str]):
        hint_zh = f"；您要找的是否是 {'、'.join(trace_codes.printed(s) for s in suggestions)}？" if suggestions else ""
        hint_en = f"; did you mean {', '.join(trace_codes.printed(s) for s in suggestions)}?" if suggestions else ""
        super().__init__("code", "unknown_code", f"没有追溯码为 {trace_codes.printed(code)} 的产品批次{hint_zh}",
                         f"no batch has the code {trace_codes.printed(code)}{hint_en}")
        self.extra = {"suggestions": suggestions}


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schemas.load(f"trace/{name}.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _checked(name: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("body", "type", "请求体应为一个 JSON 对象", "the body must be a JSON object")])
    errors = form_errors(_validator(name), data)
    if errors:
        raise ValidationFailed(errors)
    return data


def _credit_code(value: Any, field: str) -> str:
    try:
        return validate_credit_code(str(value or ""))[0]
    except CodeError as e:
        raise ValidationFailed([FieldError(field, "credit_code", f"{field}：{e.zh}", f"{field}: {e.en}")]) from None


def _free(value: Any) -> str | None:
    return scrub_text(str(value)) if value else None


@dataclass
class Saved:
    """What a command stored: the batch acted on, the batches it created, the log position (None: nothing new)."""

    batch: TraceBatch
    created: list[TraceBatch]
    position: int | None


class Trace:
    def __init__(self, ledger: Ledger, catch_up: Callable[[], None], clock: Callable[[], dt.date]):
        self.ledger = ledger
        self.catch_up = catch_up
        self.clock = clock

    # -- loading -----------------------------------------------------------------------------------------
    def batch(self, raw_code: Any, field: str = "code") -> TraceBatch:
        """The batch of a typed code, or a refusal naming `field` (with the nearest issued codes)."""
        try:
            code = trace_codes.parse(raw_code, field)
        except ValidationFailed as refused:
            near = self.issued(trace_codes.near_misses(str(raw_code or "")))
            if near and refused.errors[0].code in ("check_character", "length"):
                raise UnknownCode(trace_codes.normalise(str(raw_code)), near) from None
            raise
        found = self.ledger.get_or_none(batch_id(code))
        if found is None:
            raise UnknownCode(code, self.issued(trace_codes.near_misses(code)))
        return found

    def issued(self, codes: list[str]) -> list[str]:
        """Those of `codes` that name a batch (for suggestions)."""
        ids = {batch_id(c): c for c in codes}
        found = existing_ids(self.ledger.recorder, ids)
        return [c for i, c in ids.items() if i in found]

    def _entity_known(self, code: str, field: str) -> None:
        if self.ledger.get_or_none(entity_id(code)) is None:
            raise NotFoundError(field, "unknown_entity", f"本平台没有统一社会信用代码为 {code} 的市场主体",
                                f"{field}: no market entity {code} is registered here")

    def _under_order(self, batch: TraceBatch) -> bool:
        """Whether the batch, or a batch it was split or processed from, is under a recall or sales halt."""
        seen, frontier = set(), [batch]
        for _ in range(MAX_DEPTH):
            if any(b.orders for b in frontier):
                return True
            parents = [p for b in frontier for p in b.parents if p not in seen]
            seen.update(parents)
            frontier = self.ledger.load_many(batch_id(p) for p in parents)
            if not frontier:
                return False
        return True

    # -- registering --------------------------------------------------------------------------------------
    def register(self, actor: TraceActor, data: Any, *, visible: bool = True) -> Saved:
        """A new batch and its code; the same registrant and batch number again returns the batch issued."""
        fields = _checked("batch", data)
        registrant = _credit_code(fields["registrant"], "registrant")
        actor.acting_as(registrant, fields["category"], "registrant")
        self._entity_known(registrant, "registrant")
        today = self.clock()
        amount = quantity(fields["quantity"], "quantity")
        produced = check_day(fields["produced_on"], "produced_on", None, today)
        registered_on = check_day(fields.get("on"), "on", produced, today)
        if trace.category(fields["category"])["shelf_life_required"] and "shelf_life_days" not in fields:
            raise ValidationFailed([FieldError("shelf_life_days", "required", "该类产品须填写保质期（天）",
                                               "shelf_life_days is required for this category")])
        product = {"name": fields["product_name"], "category": fields["category"], "unit": fields["unit"],
                   "origin": {k: v for k, v in fields["origin"].items() if v}, "produced_on": produced,
                   "shelf_life_days": fields.get("shelf_life_days")}
        key = f"{registrant}/{fields['batch_number']}"
        created: list[TraceBatch] = []

        def command() -> list[TraceBatch]:
            code, existing = self._code_for(key)
            if existing is not None:
                if existing.product != product or existing.quantity != amount:
                    raise ConflictError("batch_number", "registered_otherwise",
                                        f"批次号 {fields['batch_number']} 已登记（追溯码 {trace_codes.printed(code)}），"
                                        "内容不同；如需更正请联系监管部门",
                                        f"batch {fields['batch_number']} is registered already ({code}) with other content")
                created[:] = [existing]
                return []
            batch = TraceBatch(code=code, key=key, registrant=registrant, product=product, quantity=trace.text(amount),
                               on=registered_on, how="registered", parents=[], submitter=actor.submitter,
                               department=actor.department)
            created[:] = [batch]
            return [batch]

        position = self._save(command, visible)
        return Saved(created[0], created if position else [], position)

    def _code_for(self, key: str) -> tuple[str, TraceBatch | None]:
        """The code issued for a natural key and the batch already under it (if it is this key's)."""
        for salt in range(8):
            code = trace_codes.issue(key, salt)
            found = self.ledger.get_or_none(batch_id(code))
            if found is None or found.key == key:
                return code, found
        raise ConflictError("batch_number", "code_space", "无法签发追溯码，请更换批次号", "no free code; use another batch number")

    # -- recording a fact on a batch -----------------------------------------------------------------------
    def record(self, actor: TraceActor, raw_code: Any, data: Any, *, visible: bool = True) -> Saved:
        """A movement, a test result or an order on the batch of `raw_code`; `visible` (the default) waits for
        the read models, a bulk loader catches up itself."""
        step = data.get("step") if isinstance(data, dict) else None
        if step == "tested":
            return self._test(actor, raw_code, _checked("test", data), visible)
        if step in ORDERS:
            return self._order(actor, raw_code, _checked("order", data), visible)
        return self._move(actor, raw_code, _checked("movement", data), visible)

    def _test(self, actor: TraceActor, raw_code: Any, fields: dict[str, Any], visible: bool) -> Saved:
        today = self.clock()
        if fields["result"] == trace.FAIL and not fields.get("items"):
            raise ValidationFailed([FieldError("items", "required", "检验结论为不合格时须列明不合格项目",
                                               "items: a failed test names the failed items")])

        def command() -> list[TraceBatch]:
            batch = self.batch(raw_code)
            actor.require_regulator(batch.category, "department", tester_ok=True)
            on = check_day(fields.get("on"), "on", batch.product["produced_on"], today)
            batch.test(fields["result"], list(fields.get("items") or []), on, fields["report_number"],
                       fields.get("laboratory"), _free(fields.get("note")), actor)
            holder[:] = [batch]
            return [batch]

        holder: list[TraceBatch] = []
        position = self._save(command, visible)
        return Saved(holder[0], [], position)

    def _order(self, actor: TraceActor, raw_code: Any, fields: dict[str, Any], visible: bool) -> Saved:
        today = self.clock()
        holder: list[TraceBatch] = []

        def command() -> list[TraceBatch]:
            batch = self.batch(raw_code)
            actor.require_regulator(batch.category, "department")
            on = check_day(fields.get("on"), "on", batch.product["produced_on"], today)
            holder[:] = [batch]
            changed = batch.order(ORDERS[fields["step"]], fields["document_number"], _free(fields["reason"]) or "",
                                  on, actor)
            return [batch] if changed else []

        position = self._save(command, visible)
        return Saved(holder[0], [], position)

    def _move(self, actor: TraceActor, raw_code: Any, fields: dict[str, Any], visible: bool) -> Saved:
        today = self.clock()
        step = fields["step"]
        holder: list[TraceBatch] = []
        created: list[TraceBatch] = []

        def command() -> list[TraceBatch]:
            batch = self.batch(raw_code)
            holder[:] = [batch]
            by = _credit_code(actor.acting_as(fields.get("by"), batch.category), "by")
            on = check_day(fields.get("on"), "on", batch.product["produced_on"], today)
            place = _free(fields.get("place"))
            ref = fields.get("reference")
            content = digest({**fields, "by": by, "on": on})
            made = batch.already(ref, content)
            if made is not None:  # the same document again: stored once; answer with what it made then
                created[:] = self.ledger.load_many(batch_id(c) for c in made)
                return []
            mark = {"reference": ref, "digest": content} if ref else {}
            if step == RECEIVED:
                batch.receive(by, fields.get("shipment"), on, actor, place, **mark)
                return [batch]
            if "quantity" not in fields and step != SPLIT:
                raise ValidationFailed([FieldError("quantity", "required", "请填写数量", "quantity is required")])
            under_order = self._under_order(batch)
            inputs: list[TraceBatch] = []
            if step == SPLIT:
                created[:] = self._split(batch, by, fields, on, actor, under_order, place, mark)
            elif step == PROCESSED:
                inputs, output = self._process(batch, by, fields, on, actor, under_order, place, mark)
                created[:] = [output]
            else:
                to = _credit_code(fields["to"], "to") if fields.get("to") else None
                batch.move(step, by, quantity(fields["quantity"], "quantity"), on, actor, to=to, place=place,
                           note=_free(fields.get("note")), under_order=under_order, **mark)
            return [batch, *inputs, *created]

        position = self._save(command, visible)
        return Saved(holder[0], created, position)

    def _split(self, batch: TraceBatch, by: str, fields: dict[str, Any], on: str, actor: TraceActor,  # noqa: PLR0913
               under_order: bool, place: str | None, mark: dict[str, str]) -> list[TraceBatch]:
        children = fields.get("children") or []
        if not children:
            raise ValidationFailed([FieldError("children", "required", "分装须列出子批次及其数量",
                                               "children: list the sub-batches and their quantities")])
        amounts = [quantity(c["quantity"], f"children[{i}].quantity") for i, c in enumerate(children)]
        keys = [f"{batch.code}/split/{len(batch.children) + i}" for i in range(len(children))]
        codes = [self._code_for(key)[0] for key in keys]
        batch.move(SPLIT, by, sum(amounts, Decimal(0)), on, actor, place=place, batches=codes, under_order=under_order,
                   **mark)
        return [TraceBatch(code=code, key=keys[i], registrant=by,
                           product={**batch.product, "batch_number": children[i].get("batch_number")},
                           quantity=trace.text(amount), on=on, how=SPLIT,
                           parents=[{"code": batch.code, "quantity": trace.text(amount)}], submitter=actor.submitter,
                           department=actor.department)
                for i, (code, amount) in enumerate(zip(codes, amounts, strict=True))]

    def _process(self, batch: TraceBatch, by: str, fields: dict[str, Any], on: str, actor: TraceActor,  # noqa: PLR0913
                 under_order: bool, place: str | None, mark: dict[str, str]) -> tuple[list[TraceBatch], TraceBatch]:
        """Consume the batch and the other inputs from `by`'s holdings; (the other inputs, the output batch)."""
        output = fields.get("output")
        if not output:
            raise ValidationFailed([FieldError("output", "required", "加工须填写产出的新批次", "output: the new batch is required")])
        consumed = [(batch, quantity(fields["quantity"], "quantity"))]
        for i, item in enumerate(fields.get("inputs") or []):
            other = self.batch(item["code"], f"inputs[{i}].code")
            if other.code in {b.code for b, _ in consumed}:
                raise ValidationFailed([FieldError(f"inputs[{i}].code", "duplicate", "同一投入批次只能列一次",
                                                   "an input batch is listed once")])
            if self._under_order(other):
                under_order = True
            consumed.append((other, quantity(item["quantity"], f"inputs[{i}].quantity")))
        key = f"{by}/{output['batch_number']}"
        code, existing = self._code_for(key)
        if existing is not None:
            raise ConflictError("output.batch_number", "registered", f"产出批次号 {output['batch_number']} 已登记",
                                f"output batch {output['batch_number']} is registered already")
        for source, amount in consumed:
            source.move(PROCESSED, by, amount, on, actor, place=place, batches=[code], under_order=under_order,
                        **(mark if source is batch else {}))
        product = {"name": output["product_name"], "category": output["category"], "unit": output["unit"],
                   "origin": {"place": place or "加工"}, "produced_on": on,
                   "shelf_life_days": output.get("shelf_life_days")}
        made = TraceBatch(code=code, key=key, registrant=by, product=product,
                          quantity=trace.text(quantity(output["quantity"], "output.quantity")), on=on, how=PROCESSED,
                          parents=[{"code": b.code, "quantity": trace.text(a)} for b, a in consumed],
                          submitter=actor.submitter, department=actor.department)
        return [b for b, _ in consumed[1:]], made

    def _save(self, command: Callable[[], list[TraceBatch]], visible: bool) -> int | None:
        recordings = self.ledger.execute(command)
        if not recordings:
            return None
        if visible:
            self.catch_up()
        return recordings[-1].notification.id
