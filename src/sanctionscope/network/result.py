"""What an analysis returns: findings with their proofs, and the bad input it met."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

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


class FindingList(Sequence[Finding]):
    """Findings in report order: the few rich ones (blocked, typology) first, held as objects,
    then the exposure-only ones, built on access from columnar arrays (a million exposed
    entities cost arrays, not a million Python objects)."""

    def __init__(
        self,
        rich: list[Finding],
        lazy_count: int = 0,
        make: Callable[[int, int], list[Finding]] | None = None,
        write_lazy: Callable[[Path], None] | None = None,
    ) -> None:
        self.rich = rich
        self.lazy_count = lazy_count
        self.make = make  # builds lazy findings start..stop
        # Writes the lazy findings as JSON lines (the same as to_json) without building them.
        self.write_lazy = write_lazy

    def __len__(self) -> int:
        return len(self.rich) + self.lazy_count

    def status_counts(self) -> dict[str, int]:
        """Findings per status, without building the lazy ones (they are all exposures)."""
        counts = dict.fromkeys(STATUSES, 0)
        for finding in self.rich:
            counts[finding.status] += 1
        counts["exposed"] += self.lazy_count
        return counts

    @overload
    def __getitem__(self, index: int) -> Finding: ...
    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...
    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self.rich):
            return self.rich[index]
        assert self.make is not None
        at = index - len(self.rich)
        return self.make(at, at + 1)[0]

    def __iter__(self) -> Iterator[Finding]:
        yield from self.rich
        if self.make is not None:
            for start in range(0, self.lazy_count, 20_000):
                yield from self.make(start, min(start + 20_000, self.lazy_count))


@dataclass
class AnalysisResult:
    findings: Sequence[Finding]
    errors: list[InputError]
    config: AnalysisConfig
    stats: dict[str, Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in self.findings}

    def counts(self) -> dict[str, int]:
        if isinstance(self.findings, FindingList):
            return self.findings.status_counts()
        counts = dict.fromkeys(STATUSES, 0)
        for finding in self.findings:
            counts[finding.status] += 1
        return counts

    def write_jsonl(self, path: Path) -> int:
        """One JSON line per finding; returns the number written."""
        path = Path(path)
        findings = self.findings
        lazy_writer = findings.write_lazy if isinstance(findings, FindingList) else None
        rich = findings.rich if isinstance(findings, FindingList) and lazy_writer else findings
        with path.open("wb") as fh:
            buffer: list[bytes] = []
            for finding in rich:
                buffer.append(orjson.dumps(finding.to_json()) + b"\n")
                if len(buffer) >= 10_000:
                    fh.write(b"".join(buffer))
                    buffer.clear()
            fh.write(b"".join(buffer))
            if lazy_writer is not None:
                part = path.with_name(path.name + ".part")
                try:
                    lazy_writer(part)
                    with part.open("rb") as lazy:
                        shutil.copyfileobj(lazy, fh, 1 << 20)
                finally:
                    part.unlink(missing_ok=True)
        return len(findings)

    def write_errors(self, path: Path) -> int:
        with Path(path).open("wb") as fh:
            for error in self.errors:
                fh.write(orjson.dumps(error.to_json()) + b"\n")
        return len(self.errors)
