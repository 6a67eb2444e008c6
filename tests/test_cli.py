"""The command line as a user runs it: real processes, real files, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanctionscope import __version__


def run(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "SANCTIONSCOPE_HOME": str(home), "COLUMNS": "200", **(env or {})}
    environ.pop("SANCTIONSCOPE_DATABASE_URL", None)
    if env and "SANCTIONSCOPE_DATABASE_URL" in env:
        environ["SANCTIONSCOPE_DATABASE_URL"] = env["SANCTIONSCOPE_DATABASE_URL"]
    return subprocess.run(
        [sys.executable, "-m", "sanctionscope.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )


def test_version(tmp_path: Path) -> None:
    result = run("--version", home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"sanctionscope {__version__}"


def test_status_of_an_empty_home(tmp_path: Path) -> None:
    result = run("lists", "status", "--json", home=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"sources": []}


def test_import_status_and_diff_of_the_un_list(tmp_path: Path, shared_data: Path) -> None:
    un = shared_data / "un"
    first = run("lists", "import", str(un / "consolidated_2025-11-20.xml"), home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "un_sc_sanctions: version 1 active (1,000 entries" in first.stdout
    second = run("lists", "import", str(un / "consolidated_2026-02-27.xml"), home=tmp_path)
    assert second.returncode == 0, second.stderr

    status = json.loads(run("lists", "status", "--json", home=tmp_path).stdout)
    [un_status] = status["sources"]
    assert un_status["source"] == "un_sc_sanctions"
    assert un_status["version"] == 2
    assert un_status["published"] == "2026-02-27"
    assert un_status["entries"] == 1003
    assert un_status["targets_by_schema"] == {"Organization": 273, "Person": 730}
    assert un_status["sha256"] == "66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf"

    diff = json.loads(run("lists", "diff", "un_sc_sanctions", "--json", home=tmp_path).stdout)
    assert diff["summary"] == {"added": 4, "removed": 1, "changed": 2}
    assert (diff["from"]["version"], diff["to"]["version"]) == (1, 2)

    text = run("lists", "diff", "un_sc_sanctions", "--from", "1", "--to", "2", home=tmp_path)
    assert "4 added, 1 removed, 2 changed" in text.stdout


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
            b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
            b"<CONSOLIDATED_LIST>&lol2;</CONSOLIDATED_LIST>\n",
            "XML declares entities or an external DTD",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b"<CONSOLIDATED_LIST>&xxe;</CONSOLIDATED_LIST>\n",
            "XML declares entities or an external DTD",
        ),
    ],
    ids=["empty", "billion-laughs", "xxe"],
)
def test_hostile_or_empty_file_is_refused_and_previous_version_stays(
    tmp_path: Path, shared_data: Path, content: bytes, reason: str
) -> None:
    good = shared_data / "un" / "consolidated_2026-02-27.xml"
    assert run("lists", "import", str(good), home=tmp_path).returncode == 0
    bad = tmp_path / "consolidated.xml"
    bad.write_bytes(content)
    result = run("lists", "import", str(bad), "--source", "un_sc_sanctions", home=tmp_path)
    assert result.returncode == 1
    assert str(bad) in result.stderr
    assert reason in result.stderr
    status = json.loads(run("lists", "status", "--json", home=tmp_path).stdout)
    assert [(s["source"], s["version"], s["entries"]) for s in status["sources"]] == [
        ("un_sc_sanctions", 1, 1003)
    ]


def test_truncated_xml_names_the_line(tmp_path: Path, shared_data: Path) -> None:
    good = shared_data / "un" / "consolidated_2026-02-27.xml"
    assert run("lists", "import", str(good), home=tmp_path).returncode == 0
    cut = tmp_path / "consolidated_cut.xml"
    data = good.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = run("lists", "import", str(cut), home=tmp_path)
    assert result.returncode == 1
    assert "truncated or malformed" in result.stderr
    assert "line " in result.stderr


def test_entry_drop_is_refused_unless_forced(tmp_path: Path, shared_data: Path) -> None:
    sdn = shared_data / "ofac" / "sdn_2024-05-03" / "sdn.csv"
    assert run("lists", "import", str(sdn), home=tmp_path).returncode == 0
    # A copy holding only the first 80 % of the records: parses fine, but 20 % are missing.
    lines = sdn.read_bytes().split(b"\r\n")
    short = tmp_path / "short" / "sdn.csv"
    short.parent.mkdir()
    short.write_bytes(b"\r\n".join(lines[: int(len(lines) * 0.8)]) + b"\r\n\x1a")
    refused = run("lists", "import", str(short.parent), home=tmp_path)
    assert refused.returncode == 1
    assert "exceeds the allowed 10%" in refused.stderr
    status = json.loads(run("lists", "status", "--json", home=tmp_path).stdout)
    assert status["sources"][0]["entries"] == 14965
    forced = run("lists", "import", str(short.parent), "--force", home=tmp_path)
    assert forced.returncode == 0, forced.stderr


def test_unrecognised_file_is_a_clear_error(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\n")
    result = run("lists", "import", str(odd), home=tmp_path)
    assert result.returncode == 1
    assert "not a list format sanctionscope recognises" in result.stderr
    missing = run("lists", "import", str(tmp_path / "nope.csv"), home=tmp_path)
    assert missing.returncode == 1 and "no such file or folder" in missing.stderr


def test_diff_of_unknown_source(tmp_path: Path) -> None:
    result = run("lists", "diff", "us_ofac_sdn", home=tmp_path)
    assert result.returncode == 1
    assert "no version of 'us_ofac_sdn' imported" in result.stderr


def test_postgres_database_url(tmp_path: Path, shared_data: Path, pg_server: str) -> None:
    from sqlalchemy import create_engine, text

    from sanctionscope.store.db import normalise_url

    admin = create_engine(normalise_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "cli_test" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "cli_test"'))
    admin.dispose()
    url = pg_server.rsplit("/", 1)[0] + "/cli_test"
    env = {"SANCTIONSCOPE_DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://")}
    folder = shared_data / "ofac" / "non_sdn_consolidated_2025-12-19"
    result = run("lists", "import", str(folder), home=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    status = json.loads(run("lists", "status", "--json", home=tmp_path, env=env).stdout)
    assert [(s["source"], s["entries"]) for s in status["sources"]] == [("us_ofac_cons", 442)]


def test_demo_runs_offline_and_tells_what_changed(tmp_path: Path) -> None:
    result = run("demo", "--home", str(tmp_path / "demo"), home=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "4 added, 1 removed, 3 changed" in out
    for expected in ("50603", "MRB BANK", "STROYTREYD LLC", "TIMER BANK, AO", "TSMRBANK, OOO"):
        assert expected in out
    assert "DPRK3" in out and "RUSSIA-EO14024" in out
    # the network the day before: the bank's customers flagged by their relationships
    assert "typology MRB Bank (cust-mrb)" in out
    assert "front_company: founded 2023-10-17" in out
    assert "MRB Bank (typology) → designated: MRB BANK (OFAC 50604)" in out
    assert "Stroitelnaya Torgovlya" not in out  # the clean look-alike customer
    page = (tmp_path / "demo" / "sanctionscope-demo-network.html").read_text(encoding="utf-8")
    assert "cust-mrb" in page and "cp-ftb" in page
    # screening in four scripts
    assert "Никулин Дмитрий Юрьевич" in out and "조선무역은행" in out
    assert "金京男" in out and "KIM, Kyong Nam" in out
    assert "NIKULIN, Dmitry Yuryevich (OFAC 50603)" in out


def test_demo_data_is_packaged() -> None:
    from importlib import resources

    data = resources.files("sanctionscope.demo") / "data"
    names = sorted(p.name for p in data.iterdir() if p.name.startswith("ofac_"))
    assert names == ["ofac_after_2024-09-19", "ofac_before_2024-09-19"]
