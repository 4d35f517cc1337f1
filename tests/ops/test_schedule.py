"""`linkcrawl schedule`: the schedule file, the due logic and the state file (no Scrapyd).

Submission to a real Scrapyd is tested end to end in tests/test_ops_scrapyd.py.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import tomllib
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from linkcrawl.ops.schedule import (
    Entry,
    due_entries,
    is_due,
    job_form,
    load_schedule,
    parse_every,
    parse_schedule,
    run_schedule,
    split_credentials,
)
from tests.conftest import REPO, linkcrawl_cli

NOW = datetime(2026, 11, 26, 3, 0, 0, tzinfo=UTC)
H, D = timedelta(hours=1), timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("1h", H),
        ("6H", 6 * H),
        ("1d", D),
        ("7d", 7 * D),
        ("2w", 14 * D),
        ("1d12h", D + 12 * H),
        (" 1d 12h ", D + 12 * H),
    ],
)
def test_parse_every(text: str, expected: timedelta) -> None:
    assert parse_every(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "1x", "1.5d", "-1d", "1d junk", "0m", "weekly"])
def test_parse_every_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_every(text)


DAILY = Entry("daily", "sites", D)
WEEKLY = Entry("weekly", "recheck", 7 * D)
HALF_HOURLY = Entry("often", "sites", timedelta(minutes=30))
SIX_MINUTES = Entry("quick", "sites", timedelta(minutes=6))


@pytest.mark.parametrize(
    ("entry", "last", "due"),
    [
        (DAILY, None, True),  # never submitted
        (DAILY, NOW - D, True),
        (DAILY, NOW - D - H, True),  # a missed day is caught up once
        (DAILY, NOW - D + timedelta(seconds=40), True),  # cron ran 40 s "early": on time
        (DAILY, NOW - D + timedelta(minutes=5), True),  # the grace is 5 minutes
        (DAILY, NOW - D + timedelta(minutes=6), False),
        (DAILY, NOW - 12 * H, False),
        (DAILY, NOW, False),  # called twice in a row: the second call submits nothing
        (WEEKLY, NOW - 6 * D, False),
        (WEEKLY, NOW - 7 * D, True),
        (HALF_HOURLY, NOW - timedelta(minutes=25), True),
        (HALF_HOURLY, NOW - timedelta(minutes=24), False),
        (SIX_MINUTES, NOW - timedelta(minutes=3), True),  # the grace is at most half of every
        (SIX_MINUTES, NOW - timedelta(minutes=2), False),
    ],
)
def test_is_due(entry: Entry, last: datetime | None, due: bool) -> None:
    assert is_due(entry, last, NOW) is due


def test_due_entries_reads_the_state() -> None:
    state = {
        "daily": {"last_submitted": (NOW - 2 * H).isoformat()},
        "weekly": {"last_submitted": (NOW - 8 * D).isoformat()},
        "often": {"last_submitted": "not a date"},  # unreadable: treated as never
    }
    assert [e.name for e in due_entries([DAILY, WEEKLY, HALF_HOURLY], state, NOW)] == [
        "weekly", "often",
    ]


def test_job_form_has_settings_and_args() -> None:
    entry = Entry("daily", "sites", D, args={"targets": "a.test"},
                  settings={"LINKCRAWL_MAX_DEPTH": "3"}, version="r7")
    assert job_form(entry, "linkcrawl") == [
        ("project", "linkcrawl"), ("spider", "sites"), ("_version", "r7"),
        ("setting", "LINKCRAWL_MAX_DEPTH=3"), ("targets", "a.test"),
    ]


def _parse(text: str) -> tuple[dict[str, str], list[Entry]]:
    return parse_schedule(tomllib.loads(text))


def test_parse_schedule_converts_values_to_text() -> None:
    options, entries = _parse(
        'scrapyd = "http://h:6800"\n[[job]]\nname = "a"\nspider = "sites"\nevery = "1d"\n'
        'args = { targets = ["a.test", "b.test"], max_depth = 2 }\n'
        "settings = { LINKCRAWL_ALLOW_PRIVATE_ADDRESSES = true }\n"
    )
    assert options == {"scrapyd": "http://h:6800"}
    assert entries[0].args == {"targets": "a.test,b.test", "max_depth": "2"}
    assert entries[0].settings == {"LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": "True"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no [[job]]"),
        ('[[job]]\nspider = "s"\nevery = "1d"', "name"),
        ('[[job]]\nname = "a b"\nspider = "s"\nevery = "1d"', "name"),
        ('[[job]]\nname = "a"\nevery = "1d"', "spider"),
        ('[[job]]\nname = "a"\nspider = "s"', "every"),
        ('[[job]]\nname = "a"\nspider = "s"\nevery = "soon"', "every"),
        ('[[job]]\nname = "a"\nspider = "s"\nevery = "1d"\ncron = "0 3 * * *"', "unknown"),
        ('[[job]]\nname = "a"\nspider = "s"\nevery = "1d"\nargs = "x"', "table"),
        ('[[job]]\nname = "a"\nspider = "s"\nevery = "1d"\n'
         '[[job]]\nname = "a"\nspider = "t"\nevery = "1d"', "unique"),
        ('[[job]]\nname = "a"\nspider = "s"\nevery = "1d"\n'
         'settings = { LINKCRAWL_STORE_URI = "mongodb://crawler:s3cret@db1/linkcrawl" }',
         "LINKCRAWL_STORE_URI holds a password"),
        ('[[job]]\nname = "a"\nspider = "s"\nevery = "1d"\n'
         'settings = { LINKCRAWL_REDIS_URL = "redis://:s3cret@cache:6379/0" }', "password"),
        ('[[job]]\nname = "a"\nspider = "s"\nevery = "1d"\n'
         'settings = { LINKCRAWL_STORE_URI = "mongodb://db1/linkcrawl?password=s3cret" }',
         "password"),
    ],
)
def test_parse_schedule_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        _parse(text)


def test_the_example_schedule_file_is_valid() -> None:
    options, entries = load_schedule(REPO / "data" / "schedule.example.toml")
    assert {e.spider for e in entries} == {"sites", "recheck"}
    assert {e.name: e.every for e in entries} == {"daily-sites": D, "weekly-recheck": 7 * D}
    assert options["project"] == "linkcrawl"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_dry_run_submits_nothing_and_keeps_no_state(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[job]]\nname = "a"\nspider = "sites"\nevery = "1d"\n')
    out = io.StringIO()
    # An unreachable Scrapyd: a dry run must not even try it.
    code = run_schedule(path, scrapyd="http://127.0.0.1:9", dry_run=True, now=NOW, out=out)
    assert code == 0
    assert "a: due, would submit spider 'sites'" in out.getvalue()
    assert not (tmp_path / "jobs.toml.state.json").exists()


def test_a_failed_submission_is_reported_and_not_recorded(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[job]]\nname = "a"\nspider = "sites"\nevery = "1d"\n')
    state = tmp_path / "jobs.toml.state.json"
    out = io.StringIO()
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused.
    code = run_schedule(path, scrapyd="http://127.0.0.1:9", now=NOW, out=out)
    assert code == 4
    assert "a: FAILED: cannot reach Scrapyd at http://127.0.0.1:9" in out.getvalue()
    assert not state.exists()


def test_not_due_entries_are_skipped_with_their_next_time(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[job]]\nname = "a"\nspider = "sites"\nevery = "1d"\n')
    state = tmp_path / "jobs.toml.state.json"
    state.write_text(json.dumps({"jobs": {"a": {"last_submitted": (NOW - H).isoformat()}}}))
    out = io.StringIO()
    assert run_schedule(path, scrapyd="http://127.0.0.1:9", now=NOW, out=out) == 0
    assert out.getvalue() == "a: not due (next after 2026-11-27 02:00 UTC)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["schedule", "/nonexistent/jobs.toml"], "cannot read schedule"),
        (["schedule", str(REPO / "pyproject.toml")], "no [[job]] entries"),
    ],
)
def test_cli_errors_are_one_line(args: list[str], message: str) -> None:
    proc = linkcrawl_cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("linkcrawl: error:") and message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_never_prints_the_password(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[job]]\nname = "a"\nspider = "sites"\nevery = "1d"\n')
    proc = linkcrawl_cli("schedule", str(path), "--scrapyd", "http://127.0.0.1:9",
                         "--user", "ops", "--password", "pw-7f3a9")
    assert proc.returncode == 4
    assert "pw-7f3a9" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("url", "clean", "auth"),
    [
        ("http://127.0.0.1:6800", "http://127.0.0.1:6800", None),
        ("http://ops:S3CRETPW@127.0.0.1:6800", "http://127.0.0.1:6800", ("ops", "S3CRETPW")),
        ("https://ops:p%40ss%3Aw@scrapyd.example/base/", "https://scrapyd.example/base/",
         ("ops", "p@ss:w")),
        ("http://ops@127.0.0.1:6800", "http://127.0.0.1:6800", ("ops", "")),
        ("http://a:b@c@127.0.0.1:6800", "http://127.0.0.1:6800", ("a", "b@c")),
    ],
)
def test_split_credentials(url: str, clean: str, auth: tuple[str, str] | None) -> None:
    assert split_credentials(url) == (clean, auth)


class _FakeScrapyd(BaseHTTPRequestHandler):
    """Scrapyd's schedule.json behind basic auth (ops / S3CRETPW), as Scrapyd's own
    [scrapyd] username/password would put it."""

    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        header = self.headers.get("Authorization") or ""
        self.seen.append(header)
        good = "Basic " + base64.b64encode(b"ops:S3CRETPW").decode()
        if header != good:
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"status": "ok", "jobid": "job-1"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_url_credentials_authenticate(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[job]]\nname = "a"\nspider = "sites"\nevery = "1d"\n')
    _FakeScrapyd.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeScrapyd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out = io.StringIO()
        url = f"http://ops:S3CRETPW@127.0.0.1:{server.server_address[1]}"
        code = run_schedule(path, scrapyd=url, now=NOW, out=out)
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0, out.getvalue()
    assert out.getvalue() == "a: submitted spider 'sites' as job job-1\n"
    assert _FakeScrapyd.seen == ["Basic " + base64.b64encode(b"ops:S3CRETPW").decode()]


def test_url_password_never_printed_when_scrapyd_is_unreachable(tmp_path: Path) -> None:
    path = _write(tmp_path, 'scrapyd = "http://ops:S3CRETPW@127.0.0.1:9"\n'
                  '[[job]]\nname = "a"\nspider = "sites"\nevery = "1d"\n')
    out = io.StringIO()
    assert run_schedule(path, now=NOW, out=out) == 4
    assert "cannot reach Scrapyd at http://127.0.0.1:9" in out.getvalue()
    assert "S3CRETPW" not in out.getvalue()
    proc = linkcrawl_cli("schedule", str(path), "--scrapyd", "http://ops:S3CRETPW@127.0.0.1:9")
    assert proc.returncode == 4
    assert "cannot reach Scrapyd at http://127.0.0.1:9" in proc.stdout
    assert "S3CRETPW" not in proc.stdout + proc.stderr
