"""What an analysis returns: findings with their proofs, and the bad input it met."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from sanctionscope.network.config import AnalysisConfig
from sanctionscope.network.model import InputError

STATUSES = ("blocked_by_ownership", "typology", "exposed")
# One line per entity: when several rules fire, the strongest status is reported and the
# reasons and paths of all of them are kept.
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}

PathStep = dict[str, Any]  # {"node": id, "edge": kind of the edge from the previous step}


@dataclass
class Finding:
    id: str
    caption: str
    status: str
    score: float
    reasons: list[str] = field(default_factory=list)
    paths: list[list[PathStep]] = field(default_factory=list)
    typologies: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caption": self.caption,
            "status": self.status,
            "score": round(self.score, 4),
            "reasons": self.reasons,
            "paths": self.paths,
            "typologies": self.typologies,
        }


@dataclass
class AnalysisResult:
    findings: list[Finding]
    errors: list[InputError]
    config: AnalysisConfig
    stats: dict[str, Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in self.findings}

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for finding in self.findings:
            counts[finding.status] += 1
        return counts

    def write_jsonl(self, path: Path) -> int:
        """One JSON line per finding; returns the number written."""
        with Path(path).open("wb") as fh:
            for line in self.iter_json_lines():
                fh.write(line)
        return len(self.findings)

    def write_errors(self, path: Path) -> int:
        with Path(path).open("wb") as fh:
            for error in self.errors:
                fh.write(orjson.dumps(error.to_json()) + b"\n")
        return len(self.errors)

    def iter_json_lines(self) -> Iterator[bytes]:
        for finding in self.findings:
            yield orjson.dumps(finding.to_json()) + b"\n"
