"""The one import path: parse completely, check, then write and switch active in one transaction.

A list that fails to parse, or whose entry count drops suspiciously against the active version,
never becomes active; the previous version stays in force and the attempt is logged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from sanctionscope.settings import Settings
from sanctionscope.sources import SourceError, detect_format, parse_path
from sanctionscope.sources.base import ParsedList
from sanctionscope.store.versions import ListVersion, active_version, log_attempt, write_version


class SuspiciousListError(SourceError):
    """The list parsed, but looks incomplete compared with the active version."""


@dataclass
class ImportResult:
    path: Path
    outcome: str  # activated | unchanged | refused
    message: str
    source: str | None = None
    version: ListVersion | None = None
    previous: ListVersion | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome != "refused"


def check_entry_drop(parsed: ParsedList, previous: ListVersion | None, max_drop: float) -> None:
    if previous is None or previous.entry_count == 0:
        return
    new = len(parsed.entries)
    drop = (previous.entry_count - new) / previous.entry_count
    if drop > max_drop:
        raise SuspiciousListError(
            parsed.path,
            f"{new:,} entries against {previous.entry_count:,} in the active version "
            f"{previous.label}: a drop of {drop:.1%} exceeds the allowed {max_drop:.0%}; "
            "the list looks incomplete, so it was not activated (use --force if the drop "
            "is genuine)",
        )


def check_not_older(parsed: ParsedList, previous: ListVersion | None) -> None:
    """Refuse to replace the active version by an older publication of the same list."""
    if previous is None or previous.published is None or parsed.published is None:
        return
    if parsed.published < previous.published:
        raise SuspiciousListError(
            parsed.path,
            f"published {parsed.published.isoformat()}, before the active version "
            f"{previous.label} (published {previous.published.isoformat()}); an older list "
            "was not activated (use --force to roll back on purpose)",
        )


def import_parsed(
    engine: Engine, parsed: ParsedList, settings: Settings, force: bool = False
) -> ImportResult:
    """Store an already parsed list as the new active version of its source."""
    with engine.begin() as conn:
        previous = active_version(conn, parsed.source)
        if previous is not None and previous.sha256 == parsed.sha256:
            result = ImportResult(
                parsed.path,
                "unchanged",
                f"{parsed.source}: identical to the active version {previous.label}; "
                "nothing imported",
                source=parsed.source,
                version=previous,
                previous=previous,
                warnings=parsed.warnings,
            )
        else:
            if not force:
                check_not_older(parsed, previous)
                check_entry_drop(parsed, previous, settings.max_entry_drop)
            if not parsed.entries:
                raise SourceError(parsed.path, "the list has no entries; refused")
            version = write_version(conn, parsed, settings.importer_version)
            result = ImportResult(
                parsed.path,
                "activated",
                f"{parsed.source}: version {version.seq} active "
                f"({version.entry_count:,} entries, {version.entity_count:,} entities)",
                source=parsed.source,
                version=version,
                previous=previous,
                warnings=parsed.warnings,
            )
    _log(engine, result, parsed.sha256)
    return result


def _log(engine: Engine, result: ImportResult, sha256: str | None) -> None:
    log_attempt(
        engine,
        path=str(result.path),
        source=result.source,
        sha256=sha256,
        outcome=result.outcome,
        message=result.message,
        version_id=result.version.id if result.version else None,
    )


def import_one(
    engine: Engine,
    path: Path,
    settings: Settings,
    source: str | None = None,
    force: bool = False,
    format_name: str | None = None,
) -> ImportResult:
    """Parse and import one publication; refusals are returned (and logged), not raised."""
    parsed: ParsedList | None = None
    try:
        parsed = parse_path(path, source=source, format_name=format_name)
        return import_parsed(engine, parsed, settings, force=force)
    except SourceError as exc:
        message = str(exc)
    except SQLAlchemyError as exc:
        # The transaction rolled back: the previous version is still the active one.
        message = f"{path}: the database refused the write, previous version kept ({exc})"
    refused = ImportResult(path, "refused", message, source=parsed.source if parsed else source)
    _log(engine, refused, parsed.sha256 if parsed else None)
    return refused


def discover(path: Path, top: bool = True) -> Iterator[tuple[Path, str | None]]:
    """Publications under ``path``: itself if it is one, else each recognised child.

    Yields ``(path, None)`` for a recognised publication and ``(path, reason)`` for a file
    that was looked at and skipped.
    """
    try:
        detect_format(path)
        yield path, None
        return
    except SourceError as exc:
        if not path.is_dir():
            yield path, exc.reason if top else "not a recognised list file"
            return
    for child in sorted(path.iterdir()):
        if not child.name.startswith("."):
            yield from discover(child, top=False)


def import_path(
    engine: Engine,
    path: Path,
    settings: Settings,
    source: str | None = None,
    force: bool = False,
    format_name: str | None = None,
    on_skip: Callable[[Path, str], None] | None = None,
) -> list[ImportResult]:
    """Import a file or a folder (every recognised publication in it, in name order)."""
    if not path.exists():
        raise SourceError(path, "no such file or folder")
    if format_name is not None or not path.is_dir():
        return [import_one(engine, path, settings, source, force, format_name)]
    results = []
    for found, skipped in discover(path):
        if skipped is not None:
            if on_skip is not None:
                on_skip(found, skipped)
            continue
        results.append(import_one(engine, found, settings, source, force))
    if not results:
        raise SourceError(path, "no recognised list file in this folder")
    return results
