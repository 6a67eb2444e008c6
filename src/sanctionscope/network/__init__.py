"""Network exposure: graph model, 50 % rule, exposure paths and evasion typologies.

Public entry points: :func:`analyze` (canonical Parquet tables), :func:`analyze_entities`
(FtM JSON lines and the CSV layout), :class:`AnalysisConfig`, :class:`AnalysisResult`.
"""

from sanctionscope.network.config import AnalysisConfig, TypologyConfig
from sanctionscope.network.engine import analyze, analyze_connection, analyze_entities
from sanctionscope.network.model import EDGE_KINDS, InputError
from sanctionscope.network.result import AnalysisResult, Finding

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
