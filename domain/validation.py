"""Validation of submitted records: JSON Schema first, then the domain's own rules.

Every error names the field and says what is wrong in Chinese and English, so a
department can fix its file without asking anyone.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from domain import clock
from domain.catalog import Catalog
from domain.codes import INDIVIDUAL_PLACEHOLDER, CodeError, normalise, validate_credit_code, validate_id_number
from domain.errors import FieldError, ValidationFailed

ACTIONS = ("record", "correct", "withdraw")
_TOP_LEVEL_KEYS = {"$schema", "$id", "title", "description", "type", "properties", "required",
                   "additionalProperties", "x-kind", "x-natural-key"}
ENVELOPE_KEYS = ("kind", "action", "reason")
MONEY_FIELDS = ("fine", "confiscation")
_LIST_SPLIT = re.compile(r"[;；,，、|]")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


_ANNOTATIONS = {"title", "description", "x-national-code", "x-public"}


def _simple_check(prop: dict[str, Any]) -> Callable[[Any], bool] | None:
    """An exact equivalent of jsonschema for the plainest string properties, or None.

    Only {"type": "string"} with minLength/maxLength (and annotations) qualifies: JSON
    Schema counts code points, as Python's len() does. Anything else goes to jsonschema.
    """
    if prop.get("type") != "string" or set(prop) - _ANNOTATIONS - {"type", "minLength", "maxLength"}:
        return None
    low, high = prop.get("minLength", 0), prop.get("maxLength", float("inf"))
    return lambda value: isinstance(value, str) and low <= len(value) <= high


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: Any) -> str:
    """Normalise the usual date spellings (2024-01-05, 2024/1/5, 20240105, 2024年1月5日) to ISO."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return dt.date.fromisoformat(value).isoformat()  # the common case; raises ValueError if not a real day
    text = normalise(str(value)) if not isinstance(value, dt.date) else value.isoformat()
    text = text.split("T")[0].split(" ")[0]
    for form in _DATE_FORMS:
        m = form.match(text)
        if m:
            return dt.date(*map(int, m.groups())).isoformat()
    raise ValueError(text)


def schema_message(err: ValidationError, title: str) -> str:
    """The Chinese sentence for one JSON Schema error about the field titled `title`."""
    match err.validator:
        case "enum":
            return f"{title}的取值不在允许范围内：{err.instance}；允许值：{'、'.join(map(str, err.validator_value))}"
        case "maxLength":
            return f"{title}过长（最多{err.validator_value}个字符）"
        case "minLength" | "minItems":
            return f"{title}不能为空"
        case "maxItems":
            return f"{title}最多{err.validator_value}项"
        case "pattern" | "format":
            return f"{title}格式不正确"
        case "minimum":
            return f"{title}不能小于{err.validator_value}"
        case "maximum":
            return f"{title}不能大于{err.validator_value}"
        case "uniqueItems":
            return f"{title}含有重复项"
        case "type":
            return f"{title}类型不正确"
        case "additionalProperties":
            return f"{title}含有未知字段"
    return f"{title}不符合要求"


def form_errors(validator: Draft202012Validator, data: Any) -> list[FieldError]:
    """Every JSON Schema error of a nested form, each naming its field by path (contributions[0].paid_in)."""
    errors = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path).lstrip(".")
        if err.validator == "required":
            missing = err.message.split("'")[1]
            title = err.schema.get("properties", {}).get(missing, {}).get("title", missing)
            name = f"{path}.{missing}" if path else missing
            errors.append(FieldError(name, "required", f"缺少必填字段：{title}（{name}）", f"{name} is required"))
            continue
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):  # name each unknown field
            known = set(err.schema.get("properties", {}))
            for extra in sorted(set(err.instance) - known):
                name = f"{path}.{extra}" if path else extra
                errors.append(FieldError(name, "additionalProperties", f"不接受的字段：{name}（本表单没有此项）",
                                         f"{name} is not a field of this form"))
            continue
        title = f"{err.schema.get('title', path)}（{path}）" if isinstance(err.schema, dict) else path
        errors.append(FieldError(path, str(err.validator), schema_message(err, title), f"{path or 'form'}: {err.message}"))
    return errors


class Validator:
    """Validates and normalises submission items of every kind against schemas and rules."""

    def __init__(self, schemas_by_kind: dict[str, dict[str, Any]], catalog: Catalog,
                 today: dt.date | Callable[[], dt.date | None] | None = None):
        self.schemas = schemas_by_kind
        self.catalog = catalog
        self._today = today
        self.validators = {k: Draft202012Validator(s) for k, s in schemas_by_kind.items()}
        # Fast path: the kinds' schemas constrain only properties, required and
        # additionalProperties at the top level (coerce() already refuses unknown fields),
        # so checking each present property with its own sub-validator gives the same
        # verdict as the whole schema at half the cost; values that repeat (authorities,
        # dates, enums) are checked once. On any failure the whole schema speaks.
        for k, s in schemas_by_kind.items():
            assert set(s) <= _TOP_LEVEL_KEYS, f"schema {k} uses top-level keys the fast path does not know"
        self._property_validators = {
            k: {name: _simple_check(prop) or Draft202012Validator(prop).is_valid for name, prop in s["properties"].items()}
            for k, s in schemas_by_kind.items()
        }
        self._required = {k: frozenset(s.get("required", ())) for k, s in schemas_by_kind.items()}
        self._valid_values: dict[tuple[str, str, Any], bool] = {}
        self.codes = {
            k: {p["x-national-code"].upper(): n for n, p in s["properties"].items() if "x-national-code" in p}
            for k, s in schemas_by_kind.items()
        }

    @property
    def today_override(self) -> dt.date | None:
        """The fixed 'today' of tests and tools (a date, or asked of the function given), or None: the real date."""
        return self._today() if callable(self._today) else self._today

    def today(self) -> dt.date:
        return self.today_override or clock.today()

    def title(self, kind: str, field: str) -> str:
        prop = self.schemas.get(kind, {}).get("properties", {}).get(field, {})
        return f"{prop.get('title', field)}（{field}）"

    # -- the envelope ---------------------------------------------------------------------
    def envelope(self, raw: Any, default_kind: str | None = None) -> tuple[str, str, str, dict[str, Any]]:
        """Split an item into (kind, action, reason, fields) or raise ValidationFailed."""
        if not isinstance(raw, dict):
            raise ValidationFailed([FieldError("", "type", "每条记录应为一个 JSON 对象", "each record must be a JSON object")])
        fields = {k: v for k, v in raw.items() if k not in ENVELOPE_KEYS}
        kind = raw.get("kind") or default_kind
        if kind not in self.schemas:
            known = "、".join(self.schemas)
            raise ValidationFailed([FieldError(
                "kind", "unknown_kind",
                f"未知的信息类别：{kind!r}；可用类别：{known}",
                f"unknown record kind {kind!r}; known kinds: {', '.join(self.schemas)}",
            )])
        action = raw.get("action") or "record"
        if action not in ACTIONS:
            raise ValidationFailed([FieldError(
                "action", "enum", f"操作应为 {'、'.join(ACTIONS)} 之一", f"action must be one of {', '.join(ACTIONS)}")])
        reason = str(raw.get("reason") or "").strip()
        if action != "record" and not reason:
            raise ValidationFailed([FieldError(
                "reason", "required", "更正或撤回必须说明理由", "a correction or withdrawal must give its reason")])
        return kind, action, reason, fields

    # -- fields -----------------------------------------------------------------------------
    def coerce(self, kind: str, raw: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
        """Map national codes to field names, drop blanks, and coerce strings to the schema's types."""
        props = self.schemas[kind]["properties"]
        codes = self.codes[kind]
        out: dict[str, Any] = {}
        errors: list[FieldError] = []
        for key, value in raw.items():
            name = key if key in props else codes.get(str(key).strip().upper(), str(key).strip())
            if name not in props:
                errors.append(FieldError(name, "unknown_field", f"未知字段：{key}", f"unknown field {key!r} for kind {kind}"))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            prop = props[name]
            try:
                out[name] = self._coerce_value(prop, value)
            except (ValueError, InvalidOperation, TypeError):
                expected = {"number": "数字", "array": "列表", "string": "文本"}.get(prop.get("type"), "值")
                if prop.get("format") == "date":
                    zh, en = f"{self.title(kind, name)}不是有效日期（应为 YYYY-MM-DD）：{value}", f"{name} is not a valid date (YYYY-MM-DD): {value!r}"
                else:
                    zh, en = f"{self.title(kind, name)}应为{expected}：{value}", f"{name} must be a {prop.get('type')}: {value!r}"
                errors.append(FieldError(name, "type", zh, en))
        return out, errors

    @staticmethod
    def _coerce_value(prop: dict[str, Any], value: Any) -> Any:
        kind = prop.get("type")
        if kind == "number":
            if isinstance(value, bool):
                raise TypeError(value)
            number = Decimal(str(value).strip().replace(",", ""))
            if not number.is_finite():
                raise ValueError(value)
            return number
        if kind == "array":
            items = _LIST_SPLIT.split(value) if isinstance(value, str) else value
            if not isinstance(items, list):
                raise TypeError(value)
            return [i.strip() if isinstance(i, str) else i for i in items if not (isinstance(i, str) and not i.strip())]
        if prop.get("format") == "date":
            return parse_date(value)
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and kind == "string":
            return str(value)
        return value

    def _fast_valid(self, kind: str, fields: dict[str, Any]) -> bool:
        if not self._required[kind] <= fields.keys():
            return False
        validators = self._property_validators[kind]
        cache = self._valid_values
        for name, value in fields.items():
            key = (kind, name, tuple(value) if isinstance(value, list) else value)
            verdict = cache.get(key)
            if verdict is None:
                verdict = validators[name](value)
                if not isinstance(value, str) or len(value) <= 40:
                    if len(cache) > 100_000:
                        cache.clear()
                    cache[key] = verdict
            if not verdict:
                return False
        return True

    def schema_errors(self, kind: str, fields: dict[str, Any]) -> list[FieldError]:
        if self._fast_valid(kind, fields):
            return []
        errors = []
        for err in self.validators[kind].iter_errors(fields):
            if err.validator == "required":
                missing = err.message.split("'")[1]
                errors.append(FieldError(missing, "required", f"缺少必填字段：{self.title(kind, missing)}", f"{missing} is required"))
                continue
            name = str(err.absolute_path[0]) if err.absolute_path else ""
            errors.append(FieldError(name, str(err.validator), schema_message(err, self.title(kind, name)),
                                     f"{name}: {err.message}"))
        return errors

    # -- domain rules --------------------------------------------------------------------------
    def rule_errors(self, kind: str, fields: dict[str, Any], department: str | None) -> list[FieldError]:
        errors: list[FieldError] = []
        party_type = fields.get("party_type")
        for name in ("credit_code", "authority_code", "source_unit_code", "listing_authority_code"):
            if name not in fields:
                continue
            code = normalise(str(fields[name]))
            if name == "credit_code" and code == INDIVIDUAL_PLACEHOLDER:
                if party_type != "个体工商户" or kind == "entity":
                    errors.append(FieldError(name, "placeholder", "代码 00000000000000000X 仅适用于无代码的个体工商户",
                                             "the placeholder code 00000000000000000X is only for individual businesses without a code"))
                elif not fields.get("registration_number"):
                    errors.append(FieldError("registration_number", "required", "个体工商户使用占位代码时必须填写工商注册号",
                                             "an individual business with the placeholder code must give its registration number"))
                fields[name] = code
                continue
            try:
                fields[name], _warnings = validate_credit_code(code)
            except CodeError as e:
                errors.append(FieldError(name, "credit_code", f"{self.title(kind, name)}：{e.zh}", f"{name}: {e.en}"))
        if party_type in ("法人及非法人组织", "个体工商户") and "credit_code" not in fields and kind != "entity":
            errors.append(FieldError("credit_code", "required", f"{party_type}必须填写统一社会信用代码",
                                     f"credit_code is required for party type {party_type}"))
        if party_type == "自然人":
            if "person_id_number" not in fields:
                errors.append(FieldError("person_id_number", "required", "行政相对人为自然人时必须填写证件号码",
                                         "person_id_number is required when the party is a natural person"))
        for name in ("person_id_number", "legal_representative_id_number"):
            if name in fields and fields.get(name.replace("number", "type"), "身份证") in ("身份证", "居民身份证"):
                try:
                    fields[name] = validate_id_number(str(fields[name]))
                except CodeError as e:
                    errors.append(FieldError(name, "id_number", f"{self.title(kind, name)}：{e.zh}", f"{name}: {e.en}"))
        today = self.today().isoformat()
        for name in ("decision_date", "commitment_date", "established", "change_date"):
            if isinstance(fields.get(name), str) and fields[name] > today:
                errors.append(FieldError(name, "future_date", f"{self.title(kind, name)}不能晚于今天（{today}）",
                                         f"{name} cannot be in the future (today is {today})"))
        if kind == "penalty":
            errors += self._penalty_rules(fields)
        if kind == "license" and fields.get("valid_from") and fields.get("valid_to") and fields["valid_to"] < fields["valid_from"]:
            errors.append(FieldError("valid_to", "range", "有效期至不能早于有效期自", "valid_to cannot be before valid_from"))
        if department is not None and not errors:
            errors += self.source_errors(kind, fields, department)
        return errors

    def _penalty_rules(self, fields: dict[str, Any]) -> list[FieldError]:
        errors = []
        if "罚款" in (fields.get("categories") or ()) and "fine" not in fields:
            errors.append(FieldError("fine", "required", "处罚类别含罚款时必须填写罚款金额（万元）（fine）",
                                     "fine is required when the penalty categories include 罚款"))
        for name in MONEY_FIELDS:
            value = fields.get(name)
            if isinstance(value, Decimal):
                if value != value.quantize(Decimal("0.000001")):
                    errors.append(FieldError(name, "precision", f"{name} 金额单位为万元，最多保留6位小数",
                                             f"{name} is in 10k yuan with at most 6 decimals"))
                else:
                    fields[name] = value.quantize(Decimal("0.000001"))
        return errors

    def source_errors(self, kind: str, fields: dict[str, Any], department: str) -> list[FieldError]:
        """The one-source rule: only the catalog's designated department may submit this record."""
        dept = self.catalog.department(department)
        if dept is None:
            return [FieldError("source_unit_code", "unknown_department", f"提交部门 {department} 不在政务数据采集目录中",
                               f"department {department} is not in the data collection catalog")]
        if self.catalog.data["sources"][kind]["rule"] == "confirmed_contribution":
            return [FieldError("kind", "contribution_only",
                               "社会来源信用信息只能由登记的报送方报送、经主管部门核实后产生，不能直接报送",
                               f"{kind} records come only from confirmed contributions (POST /api/v1/contributions)")]
        source = self.catalog.source_for(kind, fields)
        if source != department:
            expected = self.catalog.department(source or "")
            who = f"{expected.name}（{expected.code}）" if expected else "目录中未指定的部门"
            return [FieldError("source_unit_code", "not_the_source",
                               f"{dept.name} 不是此类信息的数据来源（一数一源），应由 {who} 报送",
                               f"{department} is not the designated source of this {kind} record; "
                               f"it must be submitted by {source or 'no department in the catalog'}")]
        return []

    def validate(self, kind: str, raw_fields: dict[str, Any], department: str | None) -> dict[str, Any]:
        """Return the normalised fields of a valid record or raise ValidationFailed with every error."""
        fields, errors = self.coerce(kind, raw_fields)
        errors += self.schema_errors(kind, fields)
        errors += self.rule_errors(kind, fields, department if not errors else None)
        if errors:
            raise ValidationFailed(errors)
        return fields
