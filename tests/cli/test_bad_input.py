"""Bad input answers with one clear line on stderr, a non-zero exit and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import linkcrawl_cli, scrapy_crawl

GOOD = {"targets": "acme-widgets.test", "seeds": "http://widgetweekly.test/"}


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("linkcrawl: error:")]


@pytest.mark.parametrize(
    ("args", "store", "expect"),
    [
        pytest.param(GOOD, "redis://127.0.0.1/0", "store", id="unknown-store-scheme"),
        pytest.param(GOOD, "mongodb://127.0.0.1:9/linkcrawl?serverSelectionTimeoutMS=300",
                     "mongodb", id="unreachable-mongodb"),
        pytest.param({**GOOD, "seeds": "not a url"}, None, "seed", id="invalid-seed-url"),
        pytest.param({**GOOD, "seeds": "ftp://widgetweekly.test/"}, None, "seed", id="ftp-seed"),
        pytest.param({"seeds": GOOD["seeds"]}, None, "targets", id="no-targets"),
        pytest.param({"targets": GOOD["targets"]}, None, "seeds", id="no-seeds"),
        pytest.param({**GOOD, "seeds_file": "/nonexistent/seeds.txt"}, None, "seeds",
                     id="unreadable-seeds-file"),
        pytest.param({**GOOD, "targets": "not a domain!"}, None, "target", id="bad-target"),
        pytest.param({**GOOD, "max_depth": "deep"}, None, "max_depth", id="bad-depth"),
        pytest.param({**GOOD, "brand_terms": "oops"}, None, "brand terms", id="bad-brand-terms"),
    ],
)
def test_scrapy_crawl_rejects_bad_input(
    args: dict[str, str], store: str | None, expect: str, tmp_path: Path
) -> None:
    db = tmp_path / "never.db"
    result = scrapy_crawl(
        "sites", store_uri=store or f"sqlite:///{db}", proxy=None, args=args, timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert expect in lines[0].lower()
    assert not db.exists(), "nothing may be written on bad input"


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


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        pytest.param(["report", "--target", "acme-widgets.test", "--store", "foo://x"],
                     "store", id="report-unknown-scheme"),
        pytest.param(["extract", "/nonexistent.html", "--url", "http://a.test/"], "cannot read",
                     id="extract-missing-file"),
        pytest.param(["extract", __file__, "--url", "not-a-url"], "url", id="extract-bad-url"),
        pytest.param(["extract", __file__, "--url", "http://a.test/", "--targets", "x y!"],
                     "target", id="extract-bad-target"),
    ],
)
def test_cli_rejects_bad_input(argv: list[str], expect: str) -> None:
    result = linkcrawl_cli(*argv, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expect in lines[0].lower()
