"""``--format table|json|csv`` on the read commands, on a store a real crawl of the demo web
filled (``linkcrawl demo``): the JSON and CSV are parsed and compared with the demo web's
ground truth and its pages (languages read from the files here), never with the code's own
output. Broken backlinks run the real ``scrapy crawl targets`` against the targets web."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
from tests.conftest import linkcrawl_cli, real_mongo
from tests.crawl.test_crawl_e2e import site_of

ACME, RIVAL = "acme-widgets.test", "rival-gadgets.test"
MONGO = pytest.mark.mongo_real
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("mongo", marks=MONGO)])
def demo_store(tmp_path_factory: pytest.TempPathFactory,
               request: pytest.FixtureRequest) -> Iterator[str]:
    """The demo web crawled by ``linkcrawl demo``, then scored by ``linkcrawl authority``,
    into SQLite and into a real MongoDB server: both must print the same truth."""
    with ExitStack() as stack:
        if request.param == "mongo":
            uri = stack.enter_context(real_mongo(request, "linkcrawl_formats"))
        else:
            uri = f"sqlite:///{tmp_path_factory.mktemp('formats') / 'demo.db'}"
        done = linkcrawl_cli("demo", "--store", uri, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        scored = linkcrawl_cli("authority", "--store", uri)
        assert scored.returncode == 0, scored.stderr
        yield uri


def run(*args: str, env: dict[str, str] | None = None) -> str:
    done = linkcrawl_cli(*args, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return done.stdout


def as_json(*args: str, env: dict[str, str] | None = None) -> Any:
    return json.loads(run(*args, "--format", "json", env=env))  # one document, nothing else


def as_csv(*args: str, env: dict[str, str] | None = None) -> tuple[list[str], list[dict]]:
    text = run(*args, "--format", "csv", env=env)
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def truth(ground_truth: dict[str, Any], target: str) -> list[dict[str, Any]]:
    return [b for b in ground_truth["backlinks"] if site_of(b["target_url"]) == target]


def page_file(url: str) -> Path:
    """The demo web file served for ``url`` (routes of ``_site.json`` for query URLs)."""
    host, _, path = url.split("://", 1)[1].partition("/")
    site = DEMO_WEB_DIR / host
    routes = {}
    if (site / "_site.json").exists():
        routes = json.loads((site / "_site.json").read_text(encoding="utf-8")).get("routes", {})
    if "/" + path in routes:
        return site / routes["/" + path]
    path = path.split("?", 1)[0]
    page = site / path
    return page / "index.html" if page.is_dir() or not path else page


def language_of(url: str) -> str:
    found = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", page_file(url).read_text("utf-8"))
    return found.group(1).lower().split("-")[0] if found else "unknown"


def test_report_json_is_the_crawled_truth(demo_store: str, ground_truth) -> None:
    links = truth(ground_truth, ACME)
    doc = as_json("report", "--target", ACME, "--store", demo_store)
    assert doc["target"] == ACME and ISO.match(doc["generated_at"])
    summary = doc["summary"]
    domains = {site_of(b["source_url"]) for b in links}
    assert summary["live_referring_domains"] == len(domains)
    assert summary["live_backlinks"] == len(links)
    assert summary["followed_backlinks"] == sum(1 for b in links if b["follow"])
    assert summary["by_link_type"] == dict(Counter(b["link_type"] for b in links))
    assert summary["lost_backlinks"] == 0 and doc["lost"] == []
    per_domain = Counter(site_of(b["source_url"]) for b in links)
    assert {d["referring_domain"]: d["live_backlinks"] for d in doc["referring_domains"]} \
        == per_domain
    # every live backlink, not cut to --limit, with its ground-truth type and follow flag
    got = Counter((b["source_url"], b["target_url"], b["anchor_text"], b["link_type"],
                   b["follow"]) for b in doc["backlinks"])
    assert got == Counter((b["source_url"], b["target_url"], b["anchor_text"], b["link_type"],
                           b["follow"]) for b in links)
    assert all(ISO.match(b["first_seen"]) for b in doc["backlinks"])
    pages: dict[str, set[str]] = defaultdict(set)
    for b in links:
        pages[b["target_url"]].add(site_of(b["source_url"]))
    assert {p["target_url"]: p["referring_domains"] for p in doc["top_pages"]} == {
        url: len(sites) for url, sites in pages.items()}
    # diversity: every demo site is under .test; languages as the linking pages declare them
    assert doc["tld"] == [{"tld": ".test", "referring_domains": len(domains)}]
    languages: dict[str, set[str]] = defaultdict(set)
    for b in links:
        languages[language_of(b["source_url"])].add(site_of(b["source_url"]))
    assert {r["language"]: r["referring_domains"] for r in doc["language"]} == {
        lang: len(sites) for lang, sites in languages.items()}
    assert {"en", "de"} <= set(languages)  # the fixture has both (makerfaire-berlin's /de/)


def test_report_csv_sections(demo_store: str, ground_truth) -> None:
    links = truth(ground_truth, ACME)
    header, rows = as_csv("report", "--target", ACME, "--store", demo_store)
    assert header[:2] == ["referring_domain", "authority"]
    per_domain = Counter(site_of(b["source_url"]) for b in links)
    assert {r["referring_domain"]: int(r["live_backlinks"]) for r in rows} == per_domain
    assert all(0 <= float(r["authority"]) <= 100 for r in rows)  # scored by `authority`
    header, rows = as_csv("report", "--target", ACME, "--store", demo_store,
                          "--section", "anchors")
    assert header == ["anchor", "class", "referring_domains", "backlinks", "followed_share",
                      "first_seen"]
    anchors: dict[str, set[str]] = defaultdict(set)
    for b in links:
        anchors[b["anchor_text"]].add(site_of(b["source_url"]))
    by_anchor: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:  # one anchor text may be in two classes (a text and an image link)
        by_anchor[r["anchor"]].append(r)
    assert {a: sum(int(r["backlinks"]) for r in rs) for a, rs in by_anchor.items()} == Counter(
        b["anchor_text"] for b in links)
    assert {a: int(rs[0]["referring_domains"]) for a, rs in by_anchor.items()
            if len(rs) == 1} == {a: len(s) for a, s in anchors.items()
                                 if len(by_anchor[a]) == 1}
    _, rows = as_csv("report", "--target", ACME, "--store", demo_store, "--section", "language")
    assert {r["language"] for r in rows} == {language_of(b["source_url"]) for b in links}


def test_report_table_is_unchanged_and_json_takes_one_target(demo_store: str) -> None:
    table = run("report", "--target", ACME, "--store", demo_store, "--format", "table")
    assert table == run("report", "--target", ACME, "--store", demo_store)
    assert max(len(line) for line in table.splitlines()) <= 100
    both = linkcrawl_cli("report", "--target", f"{ACME},{RIVAL}", "--store", demo_store,
                         "--format", "json")
    assert both.returncode == 2 and both.stdout == ""
    assert both.stderr.splitlines()[-1] == ("linkcrawl: error: --format json takes one "
                                            "--target at a time")


def test_gap_json_and_csv(demo_store: str, ground_truth) -> None:
    sites = {t: {site_of(b["source_url"]) for b in truth(ground_truth, t)} for t in (ACME, RIVAL)}
    args = ("gap", "--target", RIVAL, "--competitor", ACME, "--store", demo_store)
    doc = as_json(*args)
    want = sites[ACME] - sites[RIVAL]
    assert {r["referring_domain"] for r in doc["rows"]} == want and want
    for row in doc["rows"]:
        assert row["links_to"] == [ACME]
        (best,) = row["best"]
        assert best["domain"] == ACME
        assert any(b["source_url"] == best["source_url"] and b["anchor_text"] ==
                   best["anchor_text"] and b["link_type"] == best["link_type"]
                   for b in truth(ground_truth, ACME))
    header, rows = as_csv(*args)
    assert header == ["referring_domain", "authority", "links_to", "followed", "domain",
                      "source_url", "anchor_text", "link_type", "location"]
    assert {(r["referring_domain"], r["domain"]) for r in rows} == {(d, ACME) for d in want}
    reverse = as_json(*args, "--reverse")
    assert {r["referring_domain"] for r in reverse["rows"]} == sites[RIVAL] - sites[ACME]
    other = as_json("gap", "--target", ACME, "--competitor", RIVAL, "--store", demo_store)
    assert {r["referring_domain"] for r in other["rows"]} == sites[RIVAL] - sites[ACME]


def test_authority_json_and_csv(tmp_path: Path, demo_store: str, ground_truth) -> None:
    doc = as_json("authority", "--store", demo_store)
    pairs = {(site_of(b["target_url"]), site_of(b["source_url"]))
             for b in ground_truth["backlinks"]}
    assert doc["rows_updated"] == len(pairs)  # one referring_domains row per pair
    scores = [r["authority"] for r in doc["rows"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert {s for _, s in pairs} <= {r["domain"] for r in doc["rows"]}
    header, rows = as_csv("authority", "--store", demo_store)
    assert header == ["domain", "authority", "public_rank"]
    assert [r["domain"] for r in rows] == [r["domain"] for r in doc["rows"]]
    table = run("authority", "--store", demo_store, "--limit", "3")
    assert len(table.splitlines()) == 1 + 3


def test_queries_json_csv_and_the_older_format_spelling() -> None:
    doc = json.loads(run("queries", "--target", ACME, "--format", "json"))
    assert doc["target"] == ACME and doc["dialect"] == "sql" and ISO.match(doc["since"])
    assert doc["rows"] and all(f"'{ACME}'" in r["query"] for r in doc["rows"])
    _, rows = as_csv("queries", "--target", ACME, "--dialect", "mongo")
    assert [r["name"] for r in rows] == [r["name"] for r in doc["rows"]]
    assert all(r["dialect"] == "mongo" and r["query"].startswith("db.") for r in rows)
    legacy = run("queries", "--target", ACME, "--format", "mongo")
    assert legacy.startswith("-- ") and "db.referring_domains.aggregate(" in legacy


def test_disavow_lists_what_it_wrote(tmp_path: Path, demo_store: str, ground_truth) -> None:
    """Every followed linking page is listed when the link-farm rule counts from one link
    and the other rules are off; domains with an editorial link in the content never are."""
    rules = tmp_path / "rules.toml"
    rules.write_text("[link_farm_page]\nmin_outlinks = 1\n[exact_match_domain]\n"
                     "enabled = false\n[sitewide_footer_only]\nenabled = false\n", "utf-8")
    out = tmp_path / "disavow.txt"
    args = ("disavow", "--target", ACME, "--rules", str(rules), "--out", str(out),
            "--store", demo_store)
    doc = as_json(*args)
    links = [b for b in truth(ground_truth, ACME) if b["follow"]]
    protected = {site_of(b["source_url"]) for b in links
                 if (b["link_type"], b["location"]) == ("editorial", "content")}
    want = {b["source_url"] for b in links if site_of(b["source_url"]) not in protected}
    assert {r["value"] for r in doc["rows"]} == want and want
    assert {r["rule"] for r in doc["rows"]} == {"link_farm_page"}
    assert doc["pages"] == len(want) and doc["domains"] == 0
    written = [line for line in out.read_text("utf-8").splitlines()
               if line and not line.startswith("#")]
    assert set(written) == want
    header, rows = as_csv(*args)
    assert header == ["kind", "value", "rule", "why"] and len(rows) == len(want)


# --- broken backlinks: the real target check against the targets web -------------------------
def test_broken_json_and_csv(tmp_path: Path) -> None:
    from tests.spiders.test_targets import EXPECTED, WEB, fill

    uri = f"sqlite:///{tmp_path / 't.db'}"
    fill(uri)
    broken = {u: s for u, s in EXPECTED.items()
              if s in ("broken", "redirect_home", "redirect_offsite")}
    with LocalWeb(WEB) as web:
        env = {**os.environ, "LINKCRAWL_HTTP_PROXY": web.proxy_url}
        doc = as_json("broken", "--store", uri, "--target", "acme.test", env=env)
        header, rows = as_csv("broken", "--store", uri, "--target", "acme.test", env=env)
    assert doc["checked"] == dict(Counter(EXPECTED.values()))
    (target,) = doc["targets"]
    assert target["target"] == "acme.test"
    got = target["rows"]
    assert Counter((r["target_url"], r["target_state"]) for r in got) == Counter(
        {(u, s): 2 for u, s in broken.items()})  # linked from weak.test and strong.test
    assert [r["source_domain"] for r in got[:4]] == ["strong.test"] * 4  # strongest first
    gone = next(r for r in got if r["target_url"].endswith("/gone.html"))
    assert (gone["target_status"], gone["target_reason"]) == (410, "http 410")
    assert header[0] == "target_domain" and "authority" in header
    assert {(r["target_url"], r["source_domain"]) for r in rows} == {
        (u, s) for u in broken for s in ("weak.test", "strong.test")}
    assert {r["authority"] for r in rows} == {"80", "5"}
    # the HTML report's section lists the same links, strong.test's first
    page = tmp_path / "r.html"
    run("report", "--target", "acme.test", "--store", uri, "--html", str(page))
    section = page.read_text("utf-8").split('<h2 id="broken">', 1)[1].split("<h2", 1)[0]
    assert section.count("<tr>") == 1 + 2 * len(broken)  # the header, then each link
    assert ("8 live backlinks point to 4 broken or redirected pages (error page: 4, redirects "
            "to the home page: 2, redirects to another site: 2)") in section
    body = section.split("<tbody>", 1)[1]
    firsts = re.findall(r'href="http://(\w+)\.test/\d+"', body)
    assert firsts[:4] == ["strong"] * 4 and set(firsts[4:]) == {"weak"}
    assert "http 410" in section and "redirects to another site" in section


# --- bad values: argparse's one line, exit 2 ----------------------------------------------------
@pytest.mark.parametrize("command", [
    ["report", "--target", ACME], ["gap", "--target", ACME, "--competitor", RIVAL],
    ["broken", "--target", ACME], ["queries"], ["authority"], ["disavow", "--target", ACME],
])
def test_a_bad_format_is_one_line_and_exit_2(command: list[str], tmp_path: Path) -> None:
    done = linkcrawl_cli(*command, "--store", f"sqlite:///{tmp_path / 'none.db'}",
                         "--format", "xml") if command != ["queries"] else linkcrawl_cli(
        "queries", "--format", "xml")
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("linkcrawl: error: argument --format: invalid choice: 'xml'")
    assert not (tmp_path / "none.db").exists()


def test_report_sections_match_the_parser() -> None:
    from linkcrawl.cli.main import REPORT_SECTIONS
    from linkcrawl.report.output import SECTIONS

    assert tuple(SECTIONS) == REPORT_SECTIONS
