"""`lists update` against a real HTTP server on 127.0.0.1 serving the official files, and against
servers that fail (500), hang, or serve garbage: the active version must survive all of them."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sanctionscope.settings import Settings
from sanctionscope.store import active_versions_list, open_store
from sanctionscope.store.update import update_source


@dataclass
class Behaviour:
    """What the test server does; tests change it between requests."""

    files: dict[str, Path] = field(default_factory=dict)
    mode: str = "ok"  # ok | error500 | hang | garbage
    hits: int = 0
    conditional_hits: int = 0


def make_handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            behaviour.hits += 1
            name = self.path.rsplit("/", 1)[-1].lower()
            if behaviour.mode == "error500":
                self.send_error(500, "Internal Server Error")
                return
            if behaviour.mode == "hang":
                time.sleep(3)
                return
            if behaviour.mode == "garbage":
                body = b"<html><body>Service temporarily unavailable</body></html>" * 20
                self._send(200, body, etag='"garbage"')
                return
            path = behaviour.files.get(name)
            if path is None:
                self.send_error(404, "Not Found")
                return
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                behaviour.conditional_hits += 1
                self.send_response(304)
                self.end_headers()
                return
            self._send(200, body, etag=etag)

        def _send(self, status: int, body: bytes, etag: str) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(behaviour))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield f"http://{host}:{port}", behaviour
    httpd.shutdown()
    httpd.server_close()


def with_urls(settings: Settings, urls: dict[str, list[str]], **kw: float) -> Settings:
    from dataclasses import replace

    return replace(
        settings,
        source_urls=urls,
        http_timeout=kw.get("timeout", 5.0),
        http_retries=int(kw.get("retries", 2)),
        http_backoff=0.01,
    )


def no_sleep(_: float) -> None:
    pass


@pytest.fixture
def un_files(shared_data: Path) -> dict[str, Path]:
    return {
        "old": shared_data / "un" / "consolidated_2025-11-20.xml",
        "new": shared_data / "un" / "consolidated_2026-02-27.xml",
    }


def test_update_downloads_imports_then_uses_conditional_requests(
    settings: Settings, server: tuple[str, Behaviour], un_files: dict[str, Path]
) -> None:
    base, behaviour = server
    behaviour.files["consolidated.xml"] = un_files["old"]
    cfg = with_urls(settings, {"un_sc_sanctions": [f"{base}/resources/xml/en/consolidated.xml"]})
    engine = open_store(cfg)
    first = update_source(engine, cfg, "un_sc_sanctions", sleep=no_sleep)
    assert first.outcome == "activated", first.message
    assert first.version is not None and first.version.entry_count == 1000
    again = update_source(engine, cfg, "un_sc_sanctions", sleep=no_sleep)
    assert again.outcome == "unchanged"
    assert behaviour.conditional_hits == 1
    behaviour.files["consolidated.xml"] = un_files["new"]
    newer = update_source(engine, cfg, "un_sc_sanctions", sleep=no_sleep)
    assert newer.outcome == "activated" and newer.version is not None
    assert (newer.version.seq, newer.version.entry_count) == (2, 1003)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("error500", "HTTP 500, after 3 attempts"),
        ("hang", "no answer within 1 s, after 3 attempts"),
        ("garbage", "consolidated.xml"),
    ],
)
def test_failing_server_keeps_the_active_version(
    settings: Settings,
    server: tuple[str, Behaviour],
    un_files: dict[str, Path],
    mode: str,
    expected: str,
) -> None:
    base, behaviour = server
    behaviour.files["consolidated.xml"] = un_files["old"]
    cfg = with_urls(settings, {"un_sc_sanctions": [f"{base}/consolidated.xml"]}, timeout=1.0)
    engine = open_store(cfg)
    assert update_source(engine, cfg, "un_sc_sanctions", sleep=no_sleep).outcome == "activated"
    behaviour.mode = mode
    behaviour.hits = 0
    result = update_source(engine, cfg, "un_sc_sanctions", sleep=no_sleep)
    assert result.outcome == "refused"
    assert expected in result.message
    if mode != "garbage":
        assert behaviour.hits == 3  # one try plus two retries
    [active] = active_versions_list(engine)
    assert (active.source, active.seq, active.entry_count) == ("un_sc_sanctions", 1, 1000)
    # No half-downloaded folder is left behind; the last good files are still there.
    folders = sorted(p.name for p in (cfg.home / "downloads" / "un_sc_sanctions").iterdir())
    assert folders == ["current"]


def test_multi_file_source_is_imported_as_one_publication(
    settings: Settings, server: tuple[str, Behaviour], shared_data: Path
) -> None:
    base, behaviour = server
    folder = shared_data / "ofac" / "non_sdn_consolidated_2025-12-19"
    for name in ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"):
        behaviour.files[name] = folder / name
    urls = [f"{base}/exports/{n.upper()}" for n in behaviour.files]
    cfg = with_urls(settings, {"us_ofac_cons": urls})
    engine = open_store(cfg)
    result = update_source(engine, cfg, "us_ofac_cons", sleep=no_sleep)
    assert result.outcome == "activated", result.message
    assert result.version is not None and result.version.entry_count == 442


def test_unknown_source_is_refused(settings: Settings) -> None:
    engine = open_store(settings)
    result = update_source(engine, with_urls(settings, {}), "nope")
    assert result.outcome == "refused" and "no download URL configured" in result.message
