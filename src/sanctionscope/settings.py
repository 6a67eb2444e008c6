"""All settings in one place, read from ``SANCTIONSCOPE_*`` environment variables.

Settings are read when asked for (``get_settings()``), not at import time, so tests and
the CLI can point the same code at another home or database.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sanctionscope import __version__

PREFIX = "SANCTIONSCOPE_"

# Official download locations, per source. Each source is a list of files fetched into one
# folder and then imported like a folder given to `lists import`.
DEFAULT_SOURCE_URLS: dict[str, list[str]] = {
    "us_ofac_sdn": [
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADD.CSV",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ALT.CSV",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_COMMENTS.CSV",
    ],
    "us_ofac_cons": [
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_PRIM.CSV",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_ADD.CSV",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_ALT.CSV",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_COMMENTS.CSV",
    ],
    "un_sc_sanctions": [
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    ],
}


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sanctionscope"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    # Largest accepted drop in entry count against the active version (0.10 = 10 %).
    max_entry_drop: float = 0.10
    http_timeout: float = 60.0
    http_retries: int = 3
    http_backoff: float = 1.0
    source_urls: dict[str, list[str]] = field(default_factory=dict)
    importer_version: str = __version__


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(PREFIX + name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{PREFIX}{name} must be a number, got {raw!r}") from exc


def _source_urls() -> dict[str, list[str]]:
    """Official URLs, overridable by ``SANCTIONSCOPE_SOURCE_URLS`` (a JSON object or a path
    to a JSON file) mapping a source name to a list of URLs."""
    urls = {name: list(values) for name, values in DEFAULT_SOURCE_URLS.items()}
    raw = os.environ.get(PREFIX + "SOURCE_URLS")
    if not raw:
        return urls
    text = raw
    if not raw.lstrip().startswith("{"):
        text = Path(raw).read_text(encoding="utf-8")
    try:
        override = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{PREFIX}SOURCE_URLS is not valid JSON: {exc}") from exc
    if not isinstance(override, dict):
        raise ValueError(f"{PREFIX}SOURCE_URLS must map source names to lists of URLs")
    for name, values in override.items():
        if isinstance(values, str):
            values = [values]
        urls[str(name)] = [str(v) for v in values]
    return urls


def get_settings() -> Settings:
    home = Path(os.environ.get(PREFIX + "HOME") or default_home()).expanduser()
    database_url = (
        os.environ.get(PREFIX + "DATABASE_URL") or f"sqlite:///{home / 'sanctionscope.db'}"
    )
    return Settings(
        home=home,
        database_url=database_url,
        max_entry_drop=_float_env("MAX_ENTRY_DROP", 0.10),
        http_timeout=_float_env("HTTP_TIMEOUT", 60.0),
        http_retries=int(_float_env("HTTP_RETRIES", 3)),
        http_backoff=_float_env("HTTP_BACKOFF", 1.0),
        source_urls=_source_urls(),
    )
