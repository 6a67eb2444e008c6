"""`lists update`: download a source's official files, then take the one import path."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from sanctionscope.settings import Settings
from sanctionscope.sources.fetch import FetchError, FetchPolicy, discard, fetch_source, promote
from sanctionscope.store.imports import ImportResult, import_one
from sanctionscope.store.versions import log_attempt


def update_source(
    engine: Engine,
    settings: Settings,
    source: str,
    force: bool = False,
    sleep: Callable[[float], None] | None = None,
) -> ImportResult:
    """Fetch and import one source. Failures are returned as refused results, never raised."""
    urls = settings.source_urls.get(source)
    if not urls:
        known = ", ".join(sorted(settings.source_urls))
        return ImportResult(
            settings.home,
            "refused",
            f"{source}: no download URL configured (configured: {known})",
            source=source,
        )
    policy = FetchPolicy(settings.http_timeout, settings.http_retries, settings.http_backoff)
    try:
        fetched = fetch_source(
            source, urls, settings.home / "downloads", policy, **({"sleep": sleep} if sleep else {})
        )
    except FetchError as exc:
        message = f"{source}: download failed, active version kept: {exc}"
        log_attempt(
            engine,
            path=", ".join(urls),
            source=source,
            sha256=None,
            outcome="refused",
            message=message,
        )
        return ImportResult(settings.home, "refused", message, source=source)
    if not fetched.changed:
        discard(fetched)
        return ImportResult(
            fetched.folder.parent / "current",
            "unchanged",
            f"{source}: not modified since the last update",
            source=source,
        )
    path = fetched.files[0] if len(fetched.files) == 1 else fetched.folder
    result = import_one(engine, path, settings, source=source, force=force)
    if result.ok:
        promote(fetched)
    else:
        discard(fetched)
    return result


def update_sources(
    engine: Engine,
    settings: Settings,
    sources: list[str] | None = None,
    force: bool = False,
    on_result: Callable[[ImportResult], None] | None = None,
) -> list[ImportResult]:
    results = []
    for source in sources or sorted(settings.source_urls):
        result = update_source(engine, settings, source, force=force)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results
