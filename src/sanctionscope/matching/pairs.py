"""Scoring a file of name pairs, the way analysts and QA calibrate a matcher.

Input: TSV, UTF-8, a header, no quoting, columns ``left`` and ``right`` and optionally
``kind`` (person/org/vessel) or ``schema``. Output: every input column, then ``score`` (0 to
1) and ``match`` (true/false at the default threshold). Rows that cannot be scored go to an
error file with their line number; counts reconcile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sanctionscope.matching.screen import ScreeningError

REQUIRED = ("left", "right")


@dataclass
class PairsSummary:
    rows: int = 0
    scored: int = 0
    errors: int = 0


def _schema_of(values: dict[str, str]) -> str:
    if values.get("schema"):
        return values["schema"]
    return values.get("kind") or "LegalEntity"


def compare_pairs_file(
    in_path: Path,
    out_path: Path,
    errors_path: Path | None = None,
    algorithm: str = "sanctionscope",
    progress: Callable[[int], None] | None = None,
) -> PairsSummary:
    from sanctionscope.matching import compare

    errors_path = (
        errors_path
        if errors_path is not None
        else out_path.with_name(out_path.stem + ".errors.tsv")
    )
    try:
        text = in_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ScreeningError(f"{in_path}: not UTF-8 text (byte {error.start})") from error
    except OSError as error:
        raise ScreeningError(f"{in_path}: cannot read: {error.strerror or error}") from error
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ScreeningError(
            f"{in_path}: the file is empty (a header with left and right is needed)"
        )
    header = lines[0].rstrip("\r").split("\t")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScreeningError(
            f"{in_path}, line 1: missing column(s) {', '.join(missing)} (found: {', '.join(header)})"
        )
    summary = PairsSummary()
    with (
        out_path.open("w", encoding="utf-8") as out,
        errors_path.open("w", encoding="utf-8") as err,
    ):
        out.write("\t".join([*header, "score", "match"]) + "\n")
        err.write("line\treason\n")
        for number, raw in enumerate(lines[1:], start=2):
            summary.rows += 1
            fields = raw.rstrip("\r").split("\t")
            if len(fields) != len(header):
                summary.errors += 1
                err.write(f"{number}\t{len(fields)} fields, the header has {len(header)}\n")
            else:
                values = dict(zip(header, fields, strict=True))
                try:
                    result = compare(values["left"], values["right"], _schema_of(values), algorithm)
                except ScreeningError as error:
                    summary.errors += 1
                    err.write(f"{number}\t{error}\n")
                else:
                    summary.scored += 1
                    out.write(
                        "\t".join(
                            [*fields, f"{result.score:.4f}", "true" if result.match else "false"]
                        )
                        + "\n"
                    )
            if progress is not None:
                progress(1)
    return summary
