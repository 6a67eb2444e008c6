"""A throw-away PostgreSQL server on 127.0.0.1 for the test session.

Uses ``SANCTIONSCOPE_TEST_DATABASE_URL`` when set. Otherwise starts a private cluster with the
Debian PostgreSQL binaries (initdb, pg_ctl) in a temporary folder, on a free loopback port; as
root it runs them as the ``postgres`` user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(cmd: list[str], as_postgres: bool) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a running, empty PostgreSQL database."""
    url = os.environ.get("SANCTIONSCOPE_TEST_DATABASE_URL")
    if url:
        yield url
        return
    bindir = find_pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found; install postgresql")
    as_postgres = os.geteuid() == 0
    workdir = Path(tempfile.mkdtemp(prefix="sanctionscope-pg-"))
    datadir = workdir / "data"
    if as_postgres:
        shutil.chown(workdir, "postgres", "postgres")
    port = _free_port()
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "sanctionscope",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        as_postgres,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off"
    _run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-o",
            options,
            "-l",
            str(workdir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        as_postgres,
    )
    try:
        yield f"postgresql+psycopg://sanctionscope@127.0.0.1:{port}/postgres"
    finally:
        _run(
            [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop"],
            as_postgres,
        )
        shutil.rmtree(workdir, ignore_errors=True)
