"""Reading a batch's chain: what the public query (/trace/{code}) and the recall fan-out answer.

`chain` assembles one batch: the product and its origin, every step with its day, place and
the entity's name and credit status, the tests, the orders that apply (its own and those of
any batch it was split or processed from), its parents and sub-batches. `downstream` walks the
lineage down from a batch (sub-batches, products made from it) and says, per holder, how much
it received and what it did with it: what a recall needs to reach everyone.
"""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from domain.records import LISTING_KINDS
from domain.trace import rules
from projections.db import Database
from projections.public import Moment, on_list_clause, public_clause, reflected_position, version_clause

#: Steps that take quantity out of the actor's holding, and the one that brings it in.
OUT_STEPS = ("shipped", "split", "processed", "sold", "returned", "destroyed")
#: How deep the lineage is walked (a chain is 3-10 steps; this bounds a malformed one).
MAX_DEPTH = 32


def _step_view(row: dict[str, Any], names: dict[str, str], flags: dict[str, list[str]]) -> dict[str, Any]:
    labels = rules()["steps"]
    detail = json.loads(row["detail"] or "{}")
    out = {"step": row["step"], "step_name": labels[row["step"]]["zh"], "on": row["on_day"], "place": row["place"],
           "quantity": row["quantity"], "note": row["note"], "position": row["position"]}
    for role in ("actor", "counterparty"):
        code = row[role]
        if code:
            out[role] = {"credit_code": code, "name": names.get(code), "lists": flags.get(code, []),
                         "url": f"/entities/{code}" if code in names else None}
    if row["shipment"] is not None:
        out["shipment"] = row["shipment"]
    batches = json.loads(row["batches"] or "[]")
    if batches:
        out["batches"] = batches
    if row["step"] == "tested":
        out.update(result=detail["result"], result_name=rules()["results"][detail["result"]]["zh"],
                   items=detail.get("items") or [], report_number=detail.get("report_number"),
                   laboratory=detail.get("laboratory"))
    if row["step"] in ("recalled", "halted"):
        out["document_number"] = detail.get("document_number")
    if row["department_code"] and row["step"] in ("tested", "recalled", "halted"):
        out["department_code"] = row["department_code"]
    return out


def names_and_flags(db: Database, codes: set[str], today: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each entity's current name, and the lists it is on today (经营异常名录, 严重违法失信名单…)."""
    codes = {c for c in codes if c}
    if not codes:
        return {}, {}
    marks = ",".join("?" * len(codes))
    names = dict(db.execute(f"SELECT entity_key, name FROM v_entities WHERE valid_to IS NULL AND entity_key IN ({marks})",
                            tuple(codes)))
    public, params = public_clause(Moment(None, today))
    on_list, lparams = on_list_clause(Moment(None, today))
    kinds = ",".join("?" * len(LISTING_KINDS))
    flags: dict[str, list[str]] = defaultdict(list)
    for code, kind, list_type in db.execute(
            f"SELECT DISTINCT r.entity_key, r.kind, r.list_type FROM v_records r WHERE r.entity_key IN ({marks}) "
            f"AND r.kind IN ({kinds}) AND {public} AND {on_list}", (*codes, *LISTING_KINDS, *params, *lparams)):
        label = list_type or {"anomaly_listing": "经营异常名录", "abnormal_mark": "经营异常状态"}.get(kind, kind)
        if label not in flags[code]:
            flags[code].append(label)
    return names, dict(flags)


def lineage(db: Database, code: str, direction: str) -> list[str]:
    """The batches `code` came from ("up") or that came from it ("down"), nearest first, without itself."""
    near, far = ("child", "parent") if direction == "up" else ("parent", "child")
    rows = db.execute(
        f"WITH RECURSIVE walk(code, depth) AS (SELECT ?, 0 UNION SELECT e.{far}, w.depth + 1 FROM v_trace_edges e "
        f"JOIN walk w ON e.{near} = w.code WHERE w.depth < ?) SELECT code, MIN(depth) FROM walk WHERE code <> ? "
        "GROUP BY code ORDER BY MIN(depth), code", (code, MAX_DEPTH, code))
    return [r[0] for r in rows]


def chain(db: Database, code: str, today: str) -> dict[str, Any] | None:
    """Everything the public query shows about one batch (None: no such batch)."""
    with db.snapshot():
        found = db.query("SELECT * FROM v_trace_batches WHERE code = ?", (code,))
        if not found:
            return None
        batch = found[0]
        steps = db.query("SELECT * FROM v_trace_steps WHERE code = ? ORDER BY seq", (code,))
        ancestors = lineage(db, code, "up")
        inherited = _orders_of(db, ancestors)
        children = db.query("SELECT e.child AS code, e.how, e.quantity, b.product_name FROM v_trace_edges e "
                            "JOIN v_trace_batches b ON b.code = e.child WHERE e.parent = ? ORDER BY b.position", (code,))
        parents = db.query("SELECT e.parent AS code, e.quantity, b.product_name, b.registrant FROM v_trace_edges e "
                           "JOIN v_trace_batches b ON b.code = e.parent WHERE e.child = ? ORDER BY e.parent", (code,))
        parties = {batch["registrant"], *(s["actor"] for s in steps), *(s["counterparty"] for s in steps),
                   *(p["registrant"] for p in parents)}
        names, flags = names_and_flags(db, parties, today)
        position = reflected_position(db, Moment(None, today))
    views = [_step_view(s, names, flags) for s in steps]
    own_orders = [s for s in views if s["step"] in ("recalled", "halted")]
    category = rules()["categories"][batch["category"]]
    out = {
        "position": position, "today": today, "code": code,
        "product": {"name": batch["product_name"], "category": batch["category"], "category_name": category["zh"],
                    "unit": batch["unit"], "unit_name": rules()["units"].get(batch["unit"], batch["unit"]),
                    "quantity": batch["quantity"], "produced_on": batch["produced_on"],
                    "shelf_life_days": batch["shelf_life_days"], "batch_number": batch["batch_number"],
                    "origin": json.loads(batch["origin"] or "{}"), "how": batch["how"]},
        "registrant": {"credit_code": batch["registrant"], "name": names.get(batch["registrant"]),
                       "lists": flags.get(batch["registrant"], []), "url": f"/entities/{batch['registrant']}"},
        "steps": views,
        "tests": [s for s in views if s["step"] == "tested"],
        "orders": own_orders + inherited,
        "parents": [{"code": p["code"], "product_name": p["product_name"], "quantity": p["quantity"]} for p in parents],
        "children": [{"code": c["code"], "how": c["how"], "product_name": c["product_name"], "quantity": c["quantity"]}
                     for c in children],
        "holdings": holdings(steps),
    }
    out["under_order"] = bool(out["orders"])
    out["failed"] = any(t["result"] == "fail" for t in out["tests"])
    return out


def _orders_of(db: Database, codes: list[str]) -> list[dict[str, Any]]:
    """Recall and halt orders on these batches (the ancestors'), each naming the batch it was made on."""
    if not codes:
        return []
    marks = ",".join("?" * len(codes))
    rows = db.query(f"SELECT s.*, b.product_name FROM v_trace_steps s JOIN v_trace_batches b ON b.code = s.code "
                    f"WHERE s.code IN ({marks}) AND s.step IN ('recalled', 'halted') ORDER BY s.position", tuple(codes))
    out = []
    for row in rows:
        view = _step_view(row, {}, {})
        view.update(via=row["code"], via_product=row["product_name"])
        out.append(view)
    return out


def holdings(steps: list[dict[str, Any]]) -> dict[str, str]:
    """Credit code -> quantity held now, from a batch's steps (registered and received in, the rest out)."""
    held: dict[str, Decimal] = defaultdict(Decimal)
    for s in steps:
        if s["step"] in ("registered", "received"):
            held[s["actor"]] += Decimal(s["quantity"])
        elif s["step"] in OUT_STEPS:
            held[s["actor"]] -= Decimal(s["quantity"])
    return {code: format(q.normalize(), "f") for code, q in held.items() if q}


def downstream(db: Database, code: str, today: str) -> dict[str, Any]:
    """Every holder of the batch and of the batches made from it: what each received, did and holds now."""
    with db.snapshot():
        codes = [code, *lineage(db, code, "down")]
        holders: dict[str, dict[str, Any]] = {}
        for i in range(0, len(codes), 500):
            chunk = codes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for actor, batch, step, total in db.execute(
                    f"SELECT actor, code, step, quantity FROM v_trace_steps WHERE code IN ({marks}) "
                    "AND actor IS NOT NULL", tuple(chunk)):
                entry = holders.setdefault(actor, {"credit_code": actor, "batches": set(), "did": defaultdict(Decimal)})
                entry["batches"].add(batch)
                entry["did"][step] += Decimal(total)
        names, flags = names_and_flags(db, set(holders), today)
    out = []
    for actor, entry in sorted(holders.items()):
        did = entry["did"]
        held = did["registered"] + did["received"] - sum((did[s] for s in OUT_STEPS), Decimal(0))
        out.append({"credit_code": actor, "name": names.get(actor), "lists": flags.get(actor, []),
                    "batches": sorted(entry["batches"]),
                    "did": {k: format(v.normalize(), "f") for k, v in sorted(did.items()) if v},
                    "holds": format(held.normalize(), "f")})
    return {"code": code, "batches": len(codes), "holders": out}


def quality_of_entity(db: Database, credit_code: str, moment: Moment) -> list[dict[str, Any]]:
    """The entity's failed tests and recall / halt orders inside their publicity period, newest first."""
    clause, params = version_clause(moment, "q")
    rows = db.query(f"SELECT * FROM v_trace_quality q WHERE q.credit_code = ? AND {clause} AND q.public_until > ? "
                    "ORDER BY q.on_day DESC, q.quality_id", (credit_code, *params, moment.today))
    return [{k: r[k] for k in ("code", "product_name", "category_name", "kind", "kind_name", "on_day",
                               "department_name", "document_number", "items", "reason", "public_until")} for r in rows]


def issued(db: Database, codes: list[str]) -> list[str]:
    """Those of `codes` that name a batch in the read model (for "did you mean"), in the order given."""
    if not codes:
        return []
    marks = ",".join("?" * len(codes))
    found = {r[0] for r in db.execute(f"SELECT code FROM v_trace_batches WHERE code IN ({marks})", tuple(codes))}
    return [c for c in codes if c in found]


def registrant_of(db: Database, code: str) -> str | None:
    """The credit code of the entity that registered a batch (the one a product complaint is about)."""
    rows = db.execute("SELECT registrant FROM v_trace_batches WHERE code = ?", (code,))
    return rows[0][0] if rows else None


def of_firm(db: Database, credit_code: str) -> list[dict[str, Any]]:
    """The batches an entity registered or took part in, newest first, with what it holds of each now."""
    rows = db.query("SELECT b.code, b.product_name, b.category, b.unit, b.quantity, b.registrant, b.produced_on, "
                    "b.position FROM v_trace_batches b WHERE b.registrant = ? OR b.code IN "
                    "(SELECT s.code FROM v_trace_steps s WHERE s.actor = ? OR s.counterparty = ?) "
                    "ORDER BY b.position DESC LIMIT 500", (credit_code, credit_code, credit_code))
    if not rows:
        return []
    marks = ",".join("?" * len(rows))
    steps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for step in db.query(f"SELECT code, step, actor, quantity FROM v_trace_steps WHERE code IN ({marks}) ORDER BY seq",
                         tuple(r["code"] for r in rows)):
        steps[step["code"]].append(step)
    waiting = {code for (code,) in db.execute(
        f"SELECT DISTINCT code FROM v_trace_steps WHERE code IN ({marks}) AND counterparty = ? "
        "AND step IN ('shipped', 'returned')", (*[r["code"] for r in rows], credit_code))}
    return [{**r, "holds": holdings(steps[r["code"]]).get(credit_code, "0"), "addressed": r["code"] in waiting}
            for r in rows]
