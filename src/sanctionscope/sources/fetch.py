"""Downloading official list files: timeouts, retries with back-off, conditional requests.

Each source keeps its last good files in ``<home>/downloads/<source>/current`` with the
validators (ETag, Last-Modified) the server sent. An update downloads into a fresh staging
folder; files the server reports unchanged (304) are copied from ``current``. Only after the
import accepted the staged files does the caller promote them (:func:`promote`).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx

from sanctionscope import __version__

STATE_FILE = ".fetch-state.json"  # a dot file: folder imports skip it
MAX_BYTES = 2 * 1024**3
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class FetchError(Exception):
    """A download failed after all retries; the message names the URL and the reason."""


@dataclass
class FetchedSource:
    source: str
    folder: Path
    changed: bool
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    max_bytes: int = MAX_BYTES


def file_name_for(url: str) -> str:
    name = Path(urlparse(url).path).name.lower()
    if not name:
        raise FetchError(f"{url}: the URL names no file")
    return name


def _load_state(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / STATE_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _conditional_headers(state: dict[str, str] | None, current_file: Path) -> dict[str, str]:
    headers = {"User-Agent": f"sanctionscope/{__version__}"}
    if state and current_file.is_file():
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
    return headers


def _stream_to(response: httpx.Response, target: Path, policy: FetchPolicy, url: str) -> None:
    deadline = time.monotonic() + policy.timeout * 10
    size = 0
    with target.open("wb") as fh:
        for chunk in response.iter_bytes(1 << 16):
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchError(f"{url}: larger than {policy.max_bytes:,} bytes; refused")
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: download too slow (over {policy.timeout * 10:.0f} s)")
            fh.write(chunk)
    if size == 0:
        raise FetchError(f"{url}: the server sent an empty file")


def _fetch_one(
    client: httpx.Client,
    url: str,
    target: Path,
    headers: dict[str, str],
    policy: FetchPolicy,
    sleep: Callable[[float], None],
) -> httpx.Response | None:
    """Download ``url`` to ``target``; None when the server says it is unchanged (304)."""
    last_error = ""
    for attempt in range(policy.retries + 1):
        if attempt:
            sleep(policy.backoff * 2 ** (attempt - 1))
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return None
                if response.status_code in _RETRY_STATUS:
                    last_error = f"HTTP {response.status_code}"
                    continue
                if response.status_code != 200:
                    raise FetchError(f"{url}: HTTP {response.status_code}; not retried")
                _stream_to(response, target, policy, url)
                return response
        except httpx.TimeoutException:
            last_error = f"no answer within {policy.timeout:.0f} s"
        except httpx.TransportError as exc:
            last_error = f"connection failed ({exc.__class__.__name__}: {exc})"
    raise FetchError(f"{url}: {last_error}, after {policy.retries + 1} attempts")


def fetch_source(
    source: str,
    urls: list[str],
    downloads: Path,
    policy: FetchPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchedSource:
    """Download every file of ``source`` into a staging folder under ``downloads/source``."""
    if not urls:
        raise FetchError(f"{source}: no download URL configured")
    base = downloads / source
    current = base / "current"
    state = _load_state(current)
    staging = base / f"staging-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    staging.mkdir(parents=True)
    result = FetchedSource(source, staging, changed=False)
    new_state: dict[str, dict[str, str]] = {}
    timeout = httpx.Timeout(policy.timeout, connect=min(policy.timeout, 30.0))
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            for url in urls:
                name = file_name_for(url)
                target = staging / name
                headers = _conditional_headers(state.get(url), current / name)
                response = _fetch_one(client, url, target, headers, policy, sleep)
                if response is None:
                    shutil.copy2(current / name, target)
                    new_state[url] = state[url]
                    result.notes.append(f"{name}: not modified since the last update")
                else:
                    result.changed = True
                    new_state[url] = {
                        "etag": response.headers.get("etag", ""),
                        "last_modified": response.headers.get("last-modified", ""),
                    }
                    result.notes.append(f"{name}: downloaded ({target.stat().st_size:,} bytes)")
                result.files.append(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    (staging / STATE_FILE).write_text(json.dumps(new_state, indent=2), encoding="utf-8")
    return result


def promote(fetched: FetchedSource) -> None:
    """Make the staged files the source's current files (after a successful import)."""
    current = fetched.folder.parent / "current"
    old = fetched.folder.parent / "previous"
    shutil.rmtree(old, ignore_errors=True)
    if current.exists():
        current.rename(old)
    fetched.folder.rename(current)
    shutil.rmtree(old, ignore_errors=True)


def discard(fetched: FetchedSource) -> None:
    shutil.rmtree(fetched.folder, ignore_errors=True)
