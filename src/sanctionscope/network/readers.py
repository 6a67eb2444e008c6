"""Read the user's data: FtM JSON lines, or the CSV layout a bank's data warehouse exports.

Both yield FtM entities with the place they came from (``file, line N``); a record that cannot
be read is reported as an :class:`InputError` naming file, line and reason, and the reading
goes on. The CSV layout (documented in docs/network.md) is turned into FtM entities so that one
builder handles both.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData

from sanctionscope.network.model import InputError

ErrorSink = Callable[[InputError], None]
Located = tuple[EntityProxy, str]


def read_ftm_file(path: Path, on_error: ErrorSink) -> Iterator[Located]:
    """Entities of an FtM JSON-lines file, one per line; blank lines are skipped."""
    with Path(path).open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            location = f"{path}, line {number}"
            try:
                data = orjson.loads(raw)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                proxy = model.get_proxy(data)
            except (orjson.JSONDecodeError, ValueError, InvalidData, TypeError, KeyError) as exc:
                on_error(InputError("parse_error", f"not an FtM entity: {exc}", None, location))
                continue
            yield proxy, location


# CSV layout: file → (required columns, optional columns). See docs/network.md.
CSV_LAYOUT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "customers.csv": (
        ("id", "name"),
        (
            "schema",
            "country",
            "founded",
            "address",
            "phone",
            "email",
            "tax_id",
            "registration_number",
            "swift_bic",
            "lei",
            "sanctioned",
            "sanction_reason",
        ),
    ),
    "ownership.csv": (("owner_id", "asset_id", "share"), ("id", "start_date")),
    "payments.csv": (
        ("id", "payer_id", "beneficiary_id", "amount"),
        ("currency", "date", "on_behalf_of_id", "purpose"),
    ),
    "relationships.csv": (("source_id", "target_id", "kind"), ("id", "role", "start_date")),
    "accounts.csv": (("holder_id", "servicer_id"), ("id", "currency", "opened")),
}
CUSTOMER_PROPS = {
    "country": "country",
    "founded": "incorporationDate",
    "address": "address",
    "phone": "phone",
    "email": "email",
    "tax_id": "taxNumber",
    "registration_number": "registrationNumber",
    "swift_bic": "swiftBic",
    "lei": "leiCode",
}
RELATIONSHIP_SCHEMAS = {
    "directorship": ("Directorship", "director", "organization"),
    "representation": ("Representation", "agent", "client"),
    "membership": ("Membership", "member", "organization"),
    "employment": ("Employment", "employee", "employer"),
    "family": ("Family", "person", "relative"),
    "associate": ("Associate", "person", "associate"),
    "unknown_link": ("UnknownLink", "subject", "object"),
    "correspondent": ("UnknownLink", "subject", "object"),
    "intermediary": ("UnknownLink", "subject", "object"),
}
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t"})


class CsvRowError(ValueError):
    pass


def read_csv_dir(directory: Path, on_error: ErrorSink) -> Iterator[Located]:
    """Entities from the CSV files of ``directory`` (any of the five may be absent)."""
    directory = Path(directory)
    if not directory.is_dir():
        on_error(InputError("parse_error", "not a directory", None, str(directory)))
        return
    found = [name for name in CSV_LAYOUT if (directory / name).is_file()]
    if not found:
        on_error(
            InputError(
                "parse_error",
                f"none of {', '.join(CSV_LAYOUT)} is in the folder",
                None,
                str(directory),
            )
        )
    converters: dict[str, Callable[[dict[str, str], str], list[EntityProxy]]] = {
        "customers.csv": _customer,
        "ownership.csv": _ownership,
        "payments.csv": _payment,
        "relationships.csv": _relationship,
        "accounts.csv": _account,
    }
    for name in found:
        yield from _read_csv(directory / name, converters[name], on_error)


def _read_csv(
    path: Path,
    convert: Callable[[dict[str, str], str], list[EntityProxy]],
    on_error: ErrorSink,
) -> Iterator[Located]:
    required, optional = CSV_LAYOUT[path.name]
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            on_error(
                InputError(
                    "parse_error",
                    f"missing column(s) {', '.join(missing)}; expected {', '.join(required)} "
                    f"and optionally {', '.join(optional)}",
                    None,
                    f"{path}, line 1",
                )
            )
            return
        reader.fieldnames = header
        for row in reader:
            location = f"{path}, line {reader.line_num}"
            clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
            try:
                proxies = convert(clean, f"{path.stem}-{reader.line_num}")
            except (CsvRowError, InvalidData) as exc:
                on_error(InputError("parse_error", str(exc), clean.get("id") or None, location))
                continue
            for proxy in proxies:
                yield proxy, location


def _entity(schema: str, entity_id: str) -> EntityProxy:
    if not entity_id:
        raise CsvRowError("empty id")
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    return proxy


def _ref(proxy: EntityProxy, prop: str, value: str, column: str) -> None:
    if not value:
        raise CsvRowError(f"column {column} is empty")
    # Bank ids are taken as written (FtM's id syntax would refuse e.g. "CUST_001").
    proxy.add(prop, value, cleaned=True)


def _customer(row: dict[str, str], _default_id: str) -> list[EntityProxy]:
    schema_name = row.get("schema") or "LegalEntity"
    schema = model.get(schema_name)
    if schema is None or not schema.is_a("LegalEntity"):
        raise CsvRowError(f"schema {schema_name!r} is not a legal entity schema (Person, Company…)")
    proxy = _entity(schema.name, row["id"])
    if not row["name"]:
        raise CsvRowError("column name is empty")
    proxy.add("name", row["name"])
    for column, prop in CUSTOMER_PROPS.items():
        value = row.get(column, "")
        if value:
            proxy.add(prop, value)
    result = [proxy]
    if row.get("sanctioned", "").casefold() in TRUE_WORDS:
        proxy.add("topics", "sanction")
        reason = row.get("sanction_reason", "")
        if reason:
            sanction = _entity("Sanction", f"{row['id']}-sanction")
            sanction.add("entity", row["id"])
            sanction.add("program", reason)
            result.append(sanction)
    return result


def _ownership(row: dict[str, str], default_id: str) -> list[EntityProxy]:
    proxy = _entity("Ownership", row.get("id") or default_id)
    _ref(proxy, "owner", row["owner_id"], "owner_id")
    _ref(proxy, "asset", row["asset_id"], "asset_id")
    if row["share"]:
        proxy.add("percentage", row["share"])
    if row.get("start_date"):
        proxy.add("startDate", row["start_date"])
    return [proxy]


def _payment(row: dict[str, str], default_id: str) -> list[EntityProxy]:
    proxy = _entity("Payment", row.get("id") or default_id)
    _ref(proxy, "payer", row["payer_id"], "payer_id")
    _ref(proxy, "beneficiary", row["beneficiary_id"], "beneficiary_id")
    proxy.add("amount", row["amount"])
    for column, prop in (("currency", "currency"), ("date", "date"), ("purpose", "purpose")):
        if row.get(column):
            proxy.add(prop, row[column])
    result = [proxy]
    principal = row.get("on_behalf_of_id", "")
    if principal:
        # The payer paid for someone else: the payer acted as an intermediary for them.
        link = _entity("UnknownLink", f"{proxy.id}-on-behalf-of")
        _ref(link, "subject", row["payer_id"], "payer_id")
        _ref(link, "object", principal, "on_behalf_of_id")
        link.add("role", "intermediary (on behalf of)")
        result.append(link)
    return result


def _relationship(row: dict[str, str], default_id: str) -> list[EntityProxy]:
    kind = row["kind"].casefold()
    if kind not in RELATIONSHIP_SCHEMAS:
        raise CsvRowError(f"kind {row['kind']!r} is not one of {', '.join(RELATIONSHIP_SCHEMAS)}")
    schema, source_prop, target_prop = RELATIONSHIP_SCHEMAS[kind]
    proxy = _entity(schema, row.get("id") or default_id)
    _ref(proxy, source_prop, row["source_id"], "source_id")
    _ref(proxy, target_prop, row["target_id"], "target_id")
    role = row.get("role", "")
    if kind in ("correspondent", "intermediary"):
        role = f"{kind} {role}".strip()
    if role:
        proxy.add("role", role)
    if row.get("start_date"):
        proxy.add("startDate", row["start_date"])
    return [proxy]


def _account(row: dict[str, str], default_id: str) -> list[EntityProxy]:
    proxy = _entity("UnknownLink", row.get("id") or default_id)
    _ref(proxy, "subject", row["holder_id"], "holder_id")
    _ref(proxy, "object", row["servicer_id"], "servicer_id")
    role = "correspondent account"
    if row.get("currency"):
        role += f" ({row['currency']})"
    proxy.add("role", role)
    if row.get("opened"):
        proxy.add("startDate", row["opened"])
    return [proxy]
