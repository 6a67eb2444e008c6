"""Network exposure: graph model, 50 % rule, exposure paths and evasion typologies.

Public entry points: :func:`analyze` (canonical Parquet tables), :func:`analyze_entities`
(FtM JSON lines and the CSV layout), :func:`analyze_connection`, :class:`AnalysisConfig`,
:class:`AnalysisResult`. They are imported on first use (DuckDB and followthemoney load
slowly, and the command line should start fast).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanctionscope.network.config import AnalysisConfig, TypologyConfig
    from sanctionscope.network.engine import analyze, analyze_connection, analyze_entities
    from sanctionscope.network.model import EDGE_KINDS, InputError
    from sanctionscope.network.result import AnalysisResult, Finding

_LAZY = {
    "AnalysisConfig": "config",
    "TypologyConfig": "config",
    "analyze": "engine",
    "analyze_connection": "engine",
    "analyze_entities": "engine",
    "EDGE_KINDS": "model",
    "InputError": "model",
    "AnalysisResult": "result",
    "Finding": "result",
}

__all__ = [
    "EDGE_KINDS",
    "AnalysisConfig",
    "AnalysisResult",
    "Finding",
    "InputError",
    "TypologyConfig",
    "analyze",
    "analyze_connection",
    "analyze_entities",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
