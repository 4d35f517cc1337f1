"""A disavow file for review: referring domains and pages that explicit rules call suspect.

Google's disavow tool takes a UTF-8 text file of ``domain:example.com`` and URL lines with
``#`` comments, at most 100,000 lines and 2 MB. Search engines say they already ignore most
such links, and a wrong line can throw away a good link, so linkcrawl never applies anything:
it writes a file for a person to read, each line preceded by the rule that put it there and
the figures that fired it. The rules are deliberately few and explicit (defaults in
:data:`DEFAULT_RULES`, overridable from a TOML file), and two guards hold whatever the rules
say: a domain with an editorial link in a page's content is never listed, and links that
pass no equity (nofollow, ugc, sponsored) are never a reason to list anything.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkcrawl.classify.anchors import AnchorRules, anchor_classes
from linkcrawl.errors import ConfigError
from linkcrawl.store.base import Store
from linkcrawl.web.domains import registrable_domain

__all__ = ["DEFAULT_RULES", "Listing", "disavow_text", "load_rules", "suspect_links"]

MAX_LINES = 100_000
MAX_BYTES = 2 * 1024 * 1024

# rule -> its thresholds; "enabled" switches a rule off. Where each comes from:
# - link_farm_page: pages that link out hundreds of times are link lists sold or scraped
#   (the "link farm" shape in search engines' spam policies); 500 outlinks is far beyond an
#   article or a resource page (median ~120 on the benchmark web).
# - exact_match_domain: a domain all of whose followed links to you use your money keyword
#   on several pages is the anchor pattern of bought links (spam policies' "link schemes").
# - sitewide_footer_only: a domain whose only followed links are one footer/sidebar placement
#   repeated on many pages, from a weak domain, is the classic paid sitewide link.
DEFAULT_RULES: dict[str, dict[str, Any]] = {
    "link_farm_page": {"enabled": True, "min_outlinks": 500},
    "exact_match_domain": {"enabled": True, "min_pages": 3},
    "sitewide_footer_only": {"enabled": True, "min_pages": 10, "max_authority": 10.0},
}


@dataclass(frozen=True, slots=True)
class Listing:
    kind: str  # "domain" or "url"
    value: str
    rule: str
    why: str


def load_rules(path: Path | None) -> dict[str, dict[str, Any]]:
    """The default rules with a TOML file's ``[rule]`` tables laid over them."""
    rules = {name: dict(values) for name, values in DEFAULT_RULES.items()}
    if path is None:
        return rules
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read rules file {str(path)!r}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"rules file {path} is not valid TOML: {exc}") from None
    for name, values in data.items():
        if name not in rules or not isinstance(values, dict):
            raise ConfigError(f"rules file {path}: unknown rule [{name}]; known: "
                              + ", ".join(sorted(rules)))
        for key, value in values.items():
            if key not in rules[name]:
                raise ConfigError(f"rules file {path}: [{name}] has no setting {key!r}; "
                                  f"known: {', '.join(sorted(rules[name]))}")
            if not isinstance(value, type(rules[name][key])) and not (
                    isinstance(value, int) and isinstance(rules[name][key], float)):
                raise ConfigError(f"rules file {path}: [{name}] {key} must be "
                                  f"{type(rules[name][key]).__name__}, got {value!r}")
            rules[name][key] = value
    return rules


def _editorial(link: Mapping[str, Any]) -> bool:
    return link.get("link_type") == "editorial" and link.get("location") == "content"


def suspect_links(store: Store, target: str,
                  rules: Mapping[str, Mapping[str, Any]] = DEFAULT_RULES,
                  keywords: Sequence[str] = ()) -> list[Listing]:
    """What the rules list for ``target``, domains before pages, each once. Exact-match
    anchors are anchors equal to one of the target's money ``keywords``."""
    domain = registrable_domain(target)
    live = [b for b in store.find("backlinks", {"target_domain": domain, "status": "live"})
            if b.get("follow")]
    by_domain: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in live:
        by_domain[link["source_domain"]].append(link)
    protected = {d for d, links in by_domain.items() if any(_editorial(b) for b in links)}
    authority = {r["referring_domain"]: r.get("authority")
                 for r in store.find("referring_domains", {"target_domain": domain})}
    classes = anchor_classes(live, AnchorRules.for_target(target, keywords=list(keywords)))
    out: list[Listing] = []
    listed: set[str] = set()

    def add(kind: str, value: str, rule: str, why: str) -> None:
        if value not in listed:
            listed.add(value)
            out.append(Listing(kind, value, rule, why))

    rule = rules["exact_match_domain"]
    if rule["enabled"]:
        for d, links in sorted(by_domain.items()):
            pages = {b["source_url"] for b in links}
            if (d not in protected and len(pages) >= rule["min_pages"]
                    and all(classes[b["key"]] == "exact_match" for b in links)):
                add("domain", d, "exact_match_domain",
                    f"{len(links)} followed links on {len(pages)} pages, every anchor an "
                    f"exact-match keyword")
    rule = rules["sitewide_footer_only"]
    if rule["enabled"]:
        for p in store.find("placements", {"target_domain": domain, "sitewide": True}):
            d = p["source_domain"]
            links = by_domain.get(d, [])
            score = authority.get(d)
            placed = {(b["target_url"], (b.get("anchor_text") or "").strip().lower(),
                       b.get("location")) for b in links}
            if (d in protected or not links or p["page_count"] < rule["min_pages"]
                    or p.get("location") not in ("footer", "sidebar") or len(placed) != 1
                    or score is None or score > rule["max_authority"]):
                continue
            add("domain", d, "sitewide_footer_only",
                f"only a {p['location']} link on {p['page_count']} pages, authority {score:g}")
    rule = rules["link_farm_page"]
    if rule["enabled"]:
        urls = sorted({b["source_url"] for b in live if b["source_domain"] not in protected})
        for start in range(0, len(urls), 500):
            for page in store.find("pages", {"url": urls[start:start + 500]}):
                count = int(page.get("outlink_count") or 0)
                if count >= rule["min_outlinks"] and page.get("domain") not in listed:
                    add("url", page["url"], "link_farm_page", f"{count} links on the page")
    return out


def disavow_text(listings: list[Listing], target: str, generated: str) -> tuple[str, int]:
    """The file's text, and how many listings did not fit the 100,000-line / 2 MB limit."""
    head = [f"# Disavow file for {target}, generated by linkcrawl on {generated}.",
            "# FOR REVIEW: nothing here has been applied. Search engines say they ignore",
            "# most such links already; remove every line you are not sure about.",
            "# Each entry is preceded by the rule that listed it and why.", ""]
    lines, size, left_out = list(head), sum(len(h.encode()) + 1 for h in head), 0
    for item in listings:
        entry = [f"# {item.rule}: {item.why}",
                 f"domain:{item.value}" if item.kind == "domain" else item.value]
        cost = sum(len(x.encode()) + 1 for x in entry)
        if len(lines) + 2 > MAX_LINES or size + cost > MAX_BYTES:
            left_out += 1
            continue
        lines += entry
        size += cost
    return "\n".join(lines) + "\n", left_out
