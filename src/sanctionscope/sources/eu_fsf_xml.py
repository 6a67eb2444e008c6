"""EU Financial Sanctions Files, XML 1.1 (``xmlFullSanctionsList_1_1``).

Root ``export`` (namespace ``http://eu.europa.ec/fpi/fsd/export``; its attribute
``generationDate`` is the publication date) holding one ``sanctionEntity`` per designation,
with its values in attributes: ``logicalId``, ``euReferenceNumber``, ``unitedNationId``,
``designationDate``, ``designationDetails``, and the children ``remark``, ``regulation``
(with ``publicationUrl``), ``subjectType``, ``nameAlias``, ``citizenship``, ``birthdate``,
``identification`` and ``address`` (with ``contactInfo``). Elements are matched by local
name, so a file in another namespace version reads the same.

The XML carries the same facts as the CSV v1.1 export and is read into the same
:class:`~sanctionscope.sources.eu_fsf_common.Record`, so a designation gives identical
entities from either file. The one difference is ``strong="false"`` on weak name aliases
(the CSV has no such column): those become ``weakAlias``.

Reading goes through :mod:`sanctionscope.sources.xmlsafe` (no entities, no external DTD).
A file cut off part-way is not well-formed XML and is refused with the line where it breaks.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lxml import etree

from sanctionscope.sources.base import ParsedList, SourceError, SourceFormat
from sanctionscope.sources.eu_fsf_common import (
    Address,
    BirthDate,
    Citizenship,
    Document,
    NameAlias,
    Record,
    Regulation,
    append_new,
    parse_date,
    parse_with,
    truthy,
)
from sanctionscope.sources.xmlsafe import parse_xml, sniff_root_tag

FORMAT_NAME = "eu_fsf_xml"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
ROOT = "export"
ENTITY = "sanctionEntity"
SNIFF_BYTES = 65536


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _attr(element: etree._Element, name: str) -> str:
    value = element.get(name)
    return value.strip() if value else ""


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _remark(element: etree._Element) -> str:
    return "; ".join(t for t in (_text(r) for r in _children(element, "remark")) if t)


def _regulation(element: etree._Element) -> Regulation:
    urls = [_text(u) for u in _children(element, "publicationUrl")]
    return Regulation(
        regulation_type=_attr(element, "regulationType"),
        organisation_type=_attr(element, "organisationType"),
        publication_date=_attr(element, "publicationDate"),
        entry_into_force_date=_attr(element, "entryIntoForceDate"),
        number_title=_attr(element, "numberTitle"),
        programme=_attr(element, "programme"),
        publication_url=next((u for u in urls if u), ""),
    )


def _name(element: etree._Element) -> NameAlias:
    strong = _attr(element, "strong")
    return NameAlias(
        whole_name=_attr(element, "wholeName"),
        first_name=_attr(element, "firstName"),
        middle_name=_attr(element, "middleName"),
        last_name=_attr(element, "lastName"),
        language=_attr(element, "nameLanguage"),
        gender=_attr(element, "gender"),
        title=_attr(element, "title"),
        function=_attr(element, "function"),
        strong=truthy(strong) if strong else True,
        remark=_remark(element),
    )


def _contact_info(element: etree._Element) -> str:
    items = []
    for info in _children(element, "contactInfo"):
        key, value = _attr(info, "key"), _attr(info, "value") or _text(info)
        if value:
            items.append(f"{key}: {value}" if key else value)
    return "; ".join(items)


def _address(element: etree._Element) -> Address:
    return Address(
        street=_attr(element, "street"),
        po_box=_attr(element, "poBox"),
        zip_code=_attr(element, "zipCode"),
        city=_attr(element, "city"),
        place=_attr(element, "place"),
        region=_attr(element, "region"),
        country_iso2=_attr(element, "countryIso2Code"),
        country_description=_attr(element, "countryDescription"),
        as_at_listing_time=truthy(_attr(element, "asAtListingTime")),
        contact_info=_contact_info(element),
        remark=_remark(element),
    )


def _birth_date(element: etree._Element) -> BirthDate:
    return BirthDate(
        birth_date=_attr(element, "birthdate"),
        day=_attr(element, "dayOfMonth"),
        month=_attr(element, "monthOfYear"),
        year=_attr(element, "year"),
        year_from=_attr(element, "yearRangeFrom"),
        year_to=_attr(element, "yearRangeTo"),
        circa=truthy(_attr(element, "circa")),
        calendar_type=_attr(element, "calendarType"),
        place=_attr(element, "place"),
        city=_attr(element, "city"),
        zip_code=_attr(element, "zipCode"),
        region=_attr(element, "region"),
        country_iso2=_attr(element, "countryIso2Code"),
        country_description=_attr(element, "countryDescription"),
        remark=_remark(element),
    )


def _document(element: etree._Element) -> Document:
    return Document(
        number=_attr(element, "number"),
        type_code=_attr(element, "identificationTypeCode"),
        type_description=_attr(element, "identificationTypeDescription"),
        issued_by=_attr(element, "issuedBy"),
        issued_date=_attr(element, "issuedDate"),
        valid_from=_attr(element, "validFrom"),
        valid_to=_attr(element, "validTo"),
        latin_number=_attr(element, "latinNumber"),
        name_on_document=_attr(element, "nameOnDocument"),
        region=_attr(element, "region"),
        country_iso2=_attr(element, "countryIso2Code"),
        country_description=_attr(element, "countryDescription"),
        diplomatic=truthy(_attr(element, "diplomatic")),
        known_expired=truthy(_attr(element, "knownExpired")),
        known_false=truthy(_attr(element, "knownFalse")),
        reported_lost=truthy(_attr(element, "reportedLost")),
        revoked_by_issuer=truthy(_attr(element, "revokedByIssuer")),
        remark=_remark(element),
    )


def _citizenship(element: etree._Element) -> Citizenship:
    return Citizenship(
        country_iso2=_attr(element, "countryIso2Code"),
        country_description=_attr(element, "countryDescription"),
        region=_attr(element, "region"),
        remark=_remark(element),
    )


def _location(element: etree._Element, number: int) -> str:
    line = element.sourceline
    where = f"{ENTITY} {number}"
    return f"{where} (line {line})" if line else where


def _record(path: Path, element: etree._Element, number: int) -> Record:
    location = _location(element, number)
    logical_id = _attr(element, "logicalId")
    if not logical_id:
        raise SourceError(path, f"a {ENTITY} without a logicalId", location)
    record = Record(
        logical_id=logical_id,
        location=location,
        eu_reference=_attr(element, "euReferenceNumber"),
        un_id=_attr(element, "unitedNationId"),
        designation_date=_attr(element, "designationDate"),
        designation_details=_attr(element, "designationDetails"),
    )
    for child in element:
        _read_child(record, child)
    return record


def _read_child(record: Record, child: etree._Element) -> None:
    name = _local(child)
    if name == "remark":
        text = _text(child)
        if text:
            append_new(record.remarks, text)
    elif name == "regulation":
        append_new(record.regulations, _regulation(child))
    elif name == "subjectType":
        record.subject_code = _attr(child, "code")
        record.subject_classification = _attr(child, "classificationCode")
    elif name == "nameAlias":
        append_new(record.names, _name(child))
    elif name == "address":
        append_new(record.addresses, _address(child))
    elif name == "birthdate":
        append_new(record.birth_dates, _birth_date(child))
    elif name == "identification":
        append_new(record.documents, _document(child))
    elif name == "citizenship":
        append_new(record.citizenships, _citizenship(child))


def generation_date(root: etree._Element) -> date | None:
    return parse_date(_attr(root, "generationDate"))


def read_records(path: Path) -> tuple[list[Record], date | None, list[str]]:
    """The designations of an EU FSF XML file, its generation date and the warnings."""
    root = parse_xml(path)
    if _local(root) != ROOT:
        raise SourceError(path, f"root element is <{_local(root)}>, not <{ROOT}>", "line 1")
    warnings: list[str] = []
    namespace = etree.QName(root).namespace
    if namespace not in (NAMESPACE, None):
        warnings.append(f"namespace {namespace!r}, not {NAMESPACE!r}; read by element names")
    published = generation_date(root)
    if published is None:
        warnings.append(f"generationDate {root.get('generationDate')!r} is not a date")
    records: dict[str, Record] = {}
    for number, element in enumerate(_children(root, ENTITY), start=1):
        record = _record(path, element, number)
        if record.logical_id in records:
            warnings.append(
                f"{record.location}: logicalId {record.logical_id} occurs again; merged"
            )
            records[record.logical_id].merge(record)
        else:
            records[record.logical_id] = record
    if not records:
        raise SourceError(path, f"<{ROOT}> holds no <{ENTITY}>")
    return list(records.values()), published, warnings


def detect(path: Path) -> bool:
    """An XML file whose root is ``export`` and that mentions ``sanctionEntity`` or the FSD
    export namespace near the top."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        if sniff_root_tag(path) != ROOT:
            return False
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    return b"fsd/export" in head or ENTITY.encode() in head


def parse(path: Path, source: str | None = None) -> ParsedList:
    """Read an EU FSF XML 1.1 file completely, or refuse it with a SourceError."""
    return parse_with(path, source, FORMAT_NAME, read_records)


__all__ = ["FORMAT", "NAMESPACE", "detect", "generation_date", "parse", "read_records"]

FORMAT = SourceFormat(
    name=FORMAT_NAME,
    detect=detect,
    parse=parse,
    description="EU Financial Sanctions Files, XML 1.1 (export / sanctionEntity)",
)
