"""Bad input answers with one clear line on stderr, the right exit and nothing written.

Every case is a row: what is run, the exit status it must give (2 bad input, 3 an unusable
store), and a word the one ``linkcrawl: error:`` line must contain. That line must be the
last line on stderr, no traceback may appear, and no store file (nor its folder) may be left.
Issue 17 lists the cases found in a first hour of use; the rows go beyond them.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import LocalWeb
from linkcrawl.store import open_store
from tests.conftest import REPO, linkcrawl_cli, scrapy_crawl

GOOD = {"targets": "acme-widgets.test", "seeds": "http://widgetweekly.test/"}
NO_ENV_STORE = {"LINKCRAWL_STORE_URI": ""}  # the default store, relative to the cwd


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("linkcrawl: error:")]


def assert_one_error(result: Any, code: int, expect: str) -> str:
    """Exit ``code``, no traceback, one error line, the last line, containing ``expect``."""
    stderr = result.stderr
    assert result.returncode == code, f"exit {result.returncode}:\n{stderr[-3000:]}"
    assert "Traceback" not in stderr, stderr[-3000:]
    lines = error_lines(stderr)
    assert len(lines) == 1, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == lines[0], "the error must be the last line"
    assert expect.lower() in lines[0].lower(), lines[0]
    return lines[0]


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- scrapy crawl: seeds, targets, spider arguments, settings ----------------------------
# (args, settings, exit, expected words); "{tmp}" in a value is the test's temporary folder
CRAWL_CASES = [
    pytest.param(GOOD, {"LINKCRAWL_STORE_URI": "redis://127.0.0.1/0"}, 3, "store",
                 id="unknown-store-scheme"),
    pytest.param(GOOD, {"LINKCRAWL_STORE_URI":
                        "mongodb://127.0.0.1:9/linkcrawl?serverSelectionTimeoutMS=300"},
                 3, "mongodb", id="unreachable-mongodb"),
    pytest.param({**GOOD, "seeds": "not a url"}, {}, 2, "seed", id="invalid-seed-url"),
    pytest.param({**GOOD, "seeds": "ftp://widgetweekly.test/"}, {}, 2, "seed", id="ftp-seed"),
    pytest.param({**GOOD, "seeds": "http://host:99999/"}, {}, 2, "port", id="seed-port-99999"),
    pytest.param({**GOOD, "seeds": "http://host:0/"}, {}, 2, "port 0", id="seed-port-0"),
    pytest.param({**GOOD, "seeds": "http://host:http/"}, {}, 2, "port", id="seed-port-word"),
    pytest.param({**GOOD, "seeds": "http://a..b.test/"}, {}, 2, "host", id="seed-bad-host"),
    pytest.param({**GOOD, "seeds": "http://widgetweekly.test/a page"}, {}, 2,
                 "'http://widgetweekly.test/a page'", id="seed-with-a-space"),
    pytest.param({**GOOD, "seeds_file": "{tmp}/seeds-notaurl.txt"}, {}, 2, "line 2",
                 id="seeds-file-not-a-url"),
    pytest.param({**GOOD, "seeds_file": "{tmp}/seeds-flag.txt"}, {}, 2, "'jss' is not a seed flag",
                 id="seeds-file-bad-flag"),
    pytest.param({"seeds": GOOD["seeds"]}, {}, 2, "targets", id="no-targets"),
    pytest.param({"targets": GOOD["targets"]}, {}, 2, "seeds", id="no-seeds"),
    pytest.param({**GOOD, "seeds_file": "/nonexistent/seeds.txt"}, {}, 2, "seeds",
                 id="unreadable-seeds-file"),
    pytest.param({**GOOD, "targets": "not a domain!"}, {}, 2, "target", id="bad-target"),
    pytest.param({**GOOD, "targets": "example.com:8080"}, {}, 2, "no port", id="target-port"),
    pytest.param({**GOOD, "targets": "acme-widgets.test/blog"}, {}, 2, "not a path",
                 id="target-path"),
    pytest.param({**GOOD, "targets": "co.uk"}, {}, 2, "public suffix", id="target-suffix"),
    pytest.param({**GOOD, "targets": "a*.example.com"}, {}, 2, "'*'", id="target-star-inside"),
    pytest.param({**GOOD, "targets": "ftp://acme-widgets.test/"}, {}, 2, "http", id="target-ftp"),
    pytest.param({**GOOD, "targets": "localhost"}, {}, 2, "domain", id="target-single-label"),
    pytest.param({"seeds": GOOD["seeds"], "targets_file": "{tmp}/targets-bad.txt"}, {}, 2,
                 "line 3", id="targets-file-bad-line"),
    pytest.param({"seeds": GOOD["seeds"]}, {"LINKCRAWL_TARGETS": "x.test:81"}, 2, "no port",
                 id="targets-setting-port"),
    pytest.param({**GOOD, "max_depth": "deep"}, {}, 2, "max_depth", id="bad-depth"),
    pytest.param({**GOOD, "max_pages": "-3"}, {}, 2, "max_pages", id="negative-max-pages"),
    pytest.param({**GOOD, "brand_terms": "oops"}, {}, 2, "brand terms", id="bad-brand-terms"),
    pytest.param({**GOOD, "max_page": "3"}, {}, 2, "did you mean -a max_pages",
                 id="misspelt-max-pages"),
    pytest.param({**GOOD, "target": "acme-widgets.test"}, {}, 2, "did you mean -a targets",
                 id="misspelt-targets"),
    pytest.param({**GOOD, "depht": "1"}, {}, 2, "unknown spider argument -a depht",
                 id="unknown-argument"),
    pytest.param(GOOD, {"LINKCRAWL_MAX_PAGES_PER_SITE": "abc"}, 2,
                 "LINKCRAWL_MAX_PAGES_PER_SITE", id="setting-not-a-number"),
    pytest.param(GOOD, {"LINKCRAWL_BATCH_SIZE": "0"}, 2, "LINKCRAWL_BATCH_SIZE",
                 id="setting-out-of-range"),
]


@pytest.mark.parametrize(("args", "settings", "code", "expect"), CRAWL_CASES)
def test_scrapy_crawl_rejects_bad_input(
    args: dict[str, str], settings: dict[str, str], code: int, expect: str, tmp_path: Path
) -> None:
    _write(tmp_path / "seeds-notaurl.txt", "http://widgetweekly.test/\nnot a url\n")
    _write(tmp_path / "seeds-flag.txt", "http://widgetweekly.test/ jss\n")
    _write(tmp_path / "targets-bad.txt", "# targets\nacme-widgets.test\nrival.test:8080\n")
    args = {k: v.replace("{tmp}", str(tmp_path)) for k, v in args.items()}
    db = tmp_path / "store" / "never.db"
    settings = {"LINKCRAWL_STORE_URI": f"sqlite:///{db}", **settings}
    result = scrapy_crawl("sites", store_uri=settings.pop("LINKCRAWL_STORE_URI"), proxy=None,
                          args=args, settings=settings, timeout=60)
    assert_one_error(result, code, expect)
    # the check runs before Scrapy's banner: the error is the only line
    assert "Scrapy 2" not in result.stderr and "Versions" not in result.stderr
    assert not db.parent.exists(), "nothing may be written on bad input"


@pytest.mark.parametrize(("args", "code", "expect"), [
    pytest.param({"status": "dead"}, 2, "status", id="recheck-bad-status"),
    pytest.param({"older_than": "soon"}, 2, "older_than", id="recheck-bad-days"),
    pytest.param({"target": "x.test:1"}, 2, "no port", id="recheck-target-port"),
    pytest.param({"statuss": "lost"}, 2, "did you mean -a status", id="recheck-misspelt"),
    pytest.param({}, 3, "no store", id="recheck-no-store"),
])
def test_scrapy_crawl_recheck_rejects_bad_input(
    args: dict[str, str], code: int, expect: str, tmp_path: Path
) -> None:
    db = tmp_path / "store" / "never.db"
    result = scrapy_crawl("recheck", store_uri=f"sqlite:///{db}", proxy=None, args=args,
                          timeout=60)
    assert_one_error(result, code, expect)
    assert not db.parent.exists()


def test_bad_store_uri_hides_password() -> None:
    result = scrapy_crawl(
        "sites",
        store_uri="mongodb://bob:s3cret@127.0.0.1:9/db?serverSelectionTimeoutMS=300",
        proxy=None,
        args=GOOD,
        timeout=60,
    )
    assert result.returncode != 0
    assert "s3cret" not in result.stderr + result.stdout
    assert len(error_lines(result.stderr)) == 1


def test_an_exported_setting_that_is_not_read_is_named(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    result = scrapy_crawl("sites", store_uri=f"sqlite:///{db}", proxy=None,
                          args={**GOOD, "seeds": "http://host:99999/"},
                          env={"LINKCRAWL_MAX_PAGES_PER_SITE": "abc"}, timeout=60)
    assert_one_error(result, 2, "port")
    assert "environment variable LINKCRAWL_MAX_PAGES_PER_SITE is not read" in result.stderr


# --- linkcrawl: stores that do not exist, targets, limits, pages, ranking files ----------
@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled by ``linkcrawl demo`` (copied per test that changes it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = linkcrawl_cli("demo", "--store", f"sqlite:///{path}", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return path


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table: what "nothing changed" is compared with."""
    with sqlite3.connect(db) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in tables}


NOWHERE = "sqlite:///no/such/dir/x.db"
CLI_CASES = [
    # a store that does not exist: exit 3, nothing created
    pytest.param(["report", "--target", "acme-widgets.test"], 3, "no store", id="report-no-store"),
    pytest.param(["report", "--target", "acme-widgets.test", "--store", NOWHERE], 3, "no store",
                 id="report-no-such-dir"),
    pytest.param(["recheck"], 3, "no store", id="recheck-no-store"),
    pytest.param(["recheck", "--store", NOWHERE], 3, "no store", id="recheck-no-such-dir"),
    pytest.param(["authority"], 3, "no store", id="authority-no-store"),
    pytest.param(["authority", "--store", NOWHERE], 3, "no store", id="authority-no-such-dir"),
    pytest.param(["report", "--target", "acme-widgets.test", "--store", "foo://x"], 3,
                 "store", id="report-unknown-scheme"),
    pytest.param(["demo", "--store", "foo://bar"], 3, "unsupported store", id="demo-bad-store"),
    pytest.param(["replay", "/nonexistent.jsonl"], 2, "spill file", id="replay-missing-file"),
    # targets
    pytest.param(["report", "--target", "example.com:8080"], 2, "no port", id="report-port"),
    pytest.param(["report", "--target", "acme-widgets.test/page"], 2, "not a path",
                 id="report-path"),
    pytest.param(["report", "--target", "*"], 2, "domain", id="report-star"),
    pytest.param(["report", "--target", ","], 2, "needs a domain", id="report-empty-target"),
    pytest.param(["report", "--target", "co.uk"], 2, "public suffix", id="report-suffix"),
    pytest.param(["recheck", "--target", "a.test:80"], 2, "no port", id="recheck-target-port"),
    pytest.param(["queries", "--target", "http://x.test:99999/"], 2, "url", id="queries-url"),
    # limits and numbers
    pytest.param(["report", "--target", "a.test", "--limit", "-1"], 2, "at least 1",
                 id="limit-negative"),
    pytest.param(["report", "--target", "a.test", "--limit", "0"], 2, "at least 1",
                 id="limit-zero"),
    pytest.param(["report", "--target", "a.test", "--limit", "ten"], 2, "whole number",
                 id="limit-word"),
    pytest.param(["queries", "--days", "0"], 2, "at least 1", id="queries-days-zero"),
    pytest.param(["report"], 2, "--target", id="report-no-target"),
    pytest.param(["recheck", "--status", "gone"], 2, "invalid choice", id="recheck-bad-status"),
    pytest.param(["nosuchcommand"], 2, "invalid choice", id="unknown-command"),
    # extract
    pytest.param(["extract", "/nonexistent.html", "--url", "http://a.test/"], 2, "cannot read",
                 id="extract-missing-file"),
    pytest.param(["extract", "{tmp}", "--url", "http://a.test/"], 2, "not a file",
                 id="extract-folder"),
    pytest.param(["extract", __file__, "--url", "not-a-url"], 2, "url", id="extract-bad-url"),
    pytest.param(["extract", __file__, "--url", "http://a.test:99999/"], 2, "port",
                 id="extract-url-port"),
    pytest.param(["extract", __file__, "--url", "http://a.test/", "--targets", "x y!"], 2,
                 "target", id="extract-bad-target"),
    pytest.param(["extract", __file__, "--url", "http://a.test/", "--targets", "blog.test:80"],
                 2, "no port", id="extract-target-port"),
    pytest.param(["extract", "{tmp}/empty.html", "--url", "http://a.test/"], 2, "empty",
                 id="extract-empty-file"),
    pytest.param(["extract", "{tmp}/blank.html", "--url", "http://a.test/"], 2, "empty",
                 id="extract-blank-file"),
    pytest.param(["extract", "{tmp}/random.bin", "--url", "http://a.test/"], 2, "binary",
                 id="extract-random-bytes"),
    pytest.param(["extract", "{tmp}/elf", "--url", "http://a.test/"], 2, "binary",
                 id="extract-elf-binary"),
    pytest.param(["extract", "{tmp}/page.gz", "--url", "http://a.test/"], 2, "binary",
                 id="extract-gzip"),
    pytest.param(["extract", "{tmp}/big.html", "--url", "http://a.test/", "--max-size", "1000"],
                 2, "--max-size", id="extract-too-large"),
    pytest.param(["extract", "{tmp}/big.html", "--url", "http://a.test/", "--max-size", "0"],
                 2, "at least 1", id="extract-max-size-zero"),
]


@pytest.mark.parametrize(("argv", "code", "expect"), CLI_CASES)
def test_cli_rejects_bad_input(argv: list[str], code: int, expect: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "blank.html").write_bytes(b" \n\t\n")
    (tmp_path / "random.bin").write_bytes(bytes(range(256)) * 16)
    shutil.copy(os.path.realpath(shutil.which("ls") or "/bin/ls"), tmp_path / "elf")
    (tmp_path / "page.gz").write_bytes(gzip.compress(b"<html><a href='/x'>x</a></html>" * 50))
    (tmp_path / "big.html").write_text("<p><a href='http://b.test/'>b</a></p>" * 100)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    result = linkcrawl_cli(*argv, cwd=work, env=NO_ENV_STORE, timeout=120)
    assert_one_error(result, code, expect)
    assert list(work.iterdir()) == [], "nothing may be created"
    assert not (REPO / "no").exists()
    if argv[0] == "demo":
        assert "demo web" not in result.stdout, "the store is checked before the demo web starts"


@pytest.mark.parametrize(("name", "content", "expect"), [
    pytest.param("missing.csv", None, "no such file", id="import-missing-file"),
    pytest.param("garbage.gz", b"\x00\x01not gzip at all\xff" * 40, "not a ranking line",
                 id="import-garbage-gz"),
    pytest.param("broken.gz", b"\x1f\x8b" + b"\x00junk" * 40, "cannot import",
                 id="import-broken-gzip"),
    pytest.param("ranks.csv", b"1,widgetweekly.test\nfirst,toolshed.test\n", "not a number",
                 id="import-non-numeric-rank"),
    pytest.param("ranks.csv", b"one,example.com\n", "no ranks", id="import-no-ranks"),
    pytest.param("ranks.csv", b"", "no ranks", id="import-empty-file"),
    pytest.param("cc.txt", b"#harmonicc_pos\t#pr_pos\n1\t2\n", "host_rev", id="import-cc-header"),
])
def test_authority_import_of_a_bad_file_changes_nothing(
    demo_store: Path, tmp_path: Path, name: str, content: bytes | None, expect: str
) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_store, db)
    before = snapshot(db)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = linkcrawl_cli("authority", "--store", f"sqlite:///{db}", "--import", str(path))
    assert_one_error(result, 2, expect)
    assert snapshot(db) == before, "a bad ranking file must change nothing"


# --- targets read the same way everywhere -------------------------------------------------
@pytest.mark.parametrize(("target", "note"), [
    pytest.param("acme-widgets.test", "", id="plain"),
    pytest.param("ACME-WIDGETS.TEST", "", id="upper-case"),
    pytest.param("www.acme-widgets.test", "", id="www"),
    pytest.param("acme-widgets.test.", "", id="trailing-dot"),
    pytest.param("acme-widgets.test/", "", id="trailing-slash"),
    pytest.param("https://acme-widgets.test/page", "is a URL", id="url"),
    pytest.param("*.acme-widgets.test", "covers its subdomains", id="wildcard"),
    pytest.param("shop.acme-widgets.test", "registrable domain", id="subdomain"),
])
def test_report_reads_a_target_as_the_crawl_does(demo_store: Path, target: str, note: str) -> None:
    uri = f"sqlite:///{demo_store}"
    plain = linkcrawl_cli("report", "--target", "acme-widgets.test", "--store", uri)
    result = linkcrawl_cli("report", "--target", target, "--store", uri)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "acme-widgets.test: " in result.stdout
    # the same report (its time stamp aside)
    assert _untimed(result.stdout) == _untimed(plain.stdout)
    if note:
        assert note in result.stderr
    else:
        assert result.stderr == ""


def _untimed(text: str) -> list[str]:
    return [line for line in text.splitlines() if "generated" not in line.lower()]


def test_a_report_on_a_target_never_crawled_says_so(demo_store: Path) -> None:
    result = linkcrawl_cli("report", "--target", "example.com", "--store",
                           f"sqlite:///{demo_store}")
    assert result.returncode == 0
    assert "no backlinks to example.com" in result.stderr
    assert "acme-widgets.test" in result.stderr  # what the store's crawls looked for


def test_an_idn_target_finds_its_backlinks_in_either_form(tmp_path: Path) -> None:
    root = tmp_path / "web"
    (root / "blog.test").mkdir(parents=True)
    (root / "blog.test" / "index.html").write_text(
        "<html><body><article><p>Books from <a href='http://xn--bcher-kva.example/'>Bücher"
        "</a> and <a href='http://bücher.example/shop'>their shop</a>.</p></article></body>"
        "</html>", encoding="utf-8")
    counts = []
    for given in ("bücher.example", "xn--bcher-kva.example", "https://BÜCHER.example/x"):
        uri = f"sqlite:///{tmp_path / (str(len(counts)) + '.db')}"
        with LocalWeb(root) as web:
            result = scrapy_crawl("sites", store_uri=uri, proxy=web.proxy_url,
                                  args={"targets": given, "seeds": "http://blog.test/"}).check()
        # a URL given as a target is reduced to its host, and the log says so
        assert ("is a URL: using its host 'xn--bcher-kva.example'" in result.stderr) == (
            "://" in given)
        with open_store(uri) as store:
            counts.append((store.count("backlinks"), store.count("mentions")))
    assert counts == [(2, 0)] * 3


# --- a recheck never erases what it cannot see --------------------------------------------
def test_recheck_without_the_demo_web_records_no_loss_and_keeps_pages(
    demo_store: Path, tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_store, db)
    with open_store(f"sqlite:///{db}") as store:
        pages = {p["url"]: (p["status"], p.get("title")) for p in store.find("pages")}
        links = {b["key"]: (b["status"], b.get("checked_at"), len(b.get("history") or []))
                 for b in store.find("backlinks")}
    # every host unreachable, without a DNS query leaving the machine: the proxy is a port
    # on 127.0.0.1 that nothing listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scrapy_crawl("recheck", store_uri=f"sqlite:///{db}", proxy=f"http://127.0.0.1:{port}",
                 settings={"LINKCRAWL_RECHECK_VERIFY_DELAY": 0}, timeout=300).check()
    with open_store(f"sqlite:///{db}") as store:
        after_pages = {p["url"]: (p["status"], p.get("title")) for p in store.find("pages")}
        after_links = {b["key"]: (b["status"], b.get("checked_at"), len(b.get("history") or []))
                       for b in store.find("backlinks")}
        run = store.find("runs", {"spider": "recheck"})[0]
    assert after_pages == pages
    assert after_links == links
    assert run["stats"]["recheck/unreachable"] == len(links)
    assert not any(k.startswith("recheck/lost") for k in run["stats"])


def test_recheck_through_the_demo_web_finds_every_link_live(
    demo_store: Path, tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_store, db)
    with open_store(f"sqlite:///{db}") as store:
        live = store.count("backlinks", {"status": "live"})
    result = linkcrawl_cli("recheck", "--demo", "--store", f"sqlite:///{db}", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"rechecked {live} backlinks" in result.stdout
    assert f"{live} live, 0 lost" in result.stdout


# --- retries, locks -----------------------------------------------------------------------
def test_a_refused_connection_is_not_retried(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"sqlite:///{tmp_path / 'x.db'}"
    scrapy_crawl("sites", store_uri=uri, proxy=None,
                 args={"targets": "acme-widgets.test", "seeds": f"http://127.0.0.1:{port}/"},
                 settings={"LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True}, timeout=60).check()
    with open_store(uri) as store:
        stats = store.find("runs")[0]["stats"]
    refused = {k: v for k, v in stats.items() if "ConnectionRefused" in k}
    assert refused, stats
    assert "retry/count" not in stats, stats


def test_project_settings_retry_neither_dns_failures_nor_refused_connections() -> None:
    from linkcrawl.crawl import settings

    retried = " ".join(map(str, settings.RETRY_EXCEPTIONS))
    assert "CannotResolveHost" not in retried and "DNSLookup" not in retried
    assert "ConnectionRefused" not in retried
    assert "DownloadTimeoutError" in retried


def test_schedule_dry_run_leaves_no_lock_file(tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.toml"
    shutil.copy(REPO / "data" / "schedule.example.toml", schedule)
    result = linkcrawl_cli("schedule", str(schedule), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "would submit" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schedule.toml"]


def test_make_eval_without_the_corpus_fails_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "location_eval.py"), "--eval-dir",
         str(tmp_path / "absent")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "article-extraction-benchmark" in line and "--eval-dir" in line
