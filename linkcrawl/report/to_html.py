"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no
external assets, readable offline.

Every value that comes from a crawled page (anchors, titles, URLs, domains) is escaped
with :func:`html.escape`, links are written only for http(s) URLs, and a
Content-Security-Policy that forbids scripts is the second line of defence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from linkcrawl.classify.anchors import ANCHOR_CLASSES
from linkcrawl.errors import ConfigError
from linkcrawl.history.recheck import LOST_REASONS
from linkcrawl.report.build import RECENT_DAYS, Report, ordered_keys
from linkcrawl.vocab import LINK_TYPES, LOCATIONS

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
COLORS = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04",
          "#db2777", "#4b5563", "#65a30d")
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#111;
padding:0 1rem}h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;
border-bottom:1px solid #ddd}.muted{color:#666}.kpis{display:flex;gap:1rem;flex-wrap:wrap}
.kpi{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;min-width:9rem}
.kpi b{display:block;font-size:1.5rem}.charts{display:grid;
grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:1.2rem}
figure{margin:0;border:1px solid #eee;border-radius:8px;padding:.6rem}
figcaption{font-weight:600;margin-bottom:.3rem}table{border-collapse:collapse;width:100%;
font-size:13px}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;
vertical-align:top}td.n{text-align:right}td.u{word-break:break-all;max-width:28rem}
svg text{font:11px system-ui,sans-serif;fill:#333}
"""


def e(value: Any) -> str:
    """Escaped text of any value (lists joined, datetimes as dates)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (list, tuple, set)):
        return escape(", ".join(str(v) for v in value))
    if isinstance(value, float):
        return f"{value:.1f}"
    return escape(str(value), quote=True)


def link(url: str | None, text: Any = None) -> str:
    shown = e(text if text is not None else url)
    if not url or not url.lower().startswith(("http://", "https://")):
        return shown
    return f'<a href="{e(url)}" rel="nofollow noopener noreferrer">{shown}</a>'


def bar_chart(chart_id: str, title: str, counts: Counter[str], order: Sequence[str]) -> str:
    """Horizontal bars, one per non-zero value, in ``order``."""
    keys = ordered_keys(counts, order)
    top = max((counts[k] for k in keys), default=0) or 1
    row, width, label_w = 22, 330, 110
    parts = []
    for i, key in enumerate(keys):
        w = max(2, round((width - label_w - 40) * counts[key] / top))
        y = i * row
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{e(key)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w}" height="{row - 8}" '
            f'fill="{COLORS[i % len(COLORS)]}"><title>{e(key)}: {counts[key]}</title></rect>'
            f'<text x="{label_w + w + 4}" y="{y + 15}">{counts[key]}</text>'
        )
    body = "".join(parts) or '<text x="8" y="16">no live backlinks</text>'
    height = max(row, row * len(keys))
    return _figure(chart_id, title, width, height, body)


def donut(chart_id: str, title: str, counts: Counter[str], order: Sequence[str]) -> str:
    """A ring split by share (used for the follow ratio)."""
    total = sum(counts.values())
    radius, cx, cy = 60, 90, 80
    circumference = 2 * math.pi * radius
    parts, offset = [], 0.0
    for i, key in enumerate(k for k in order if counts[k]):
        share = counts[key] / total
        length = share * circumference
        parts.append(
            f'<circle class="slice" r="{radius}" cx="{cx}" cy="{cy}" fill="none" '
            f'stroke="{COLORS[i]}" stroke-width="28" stroke-dasharray="{length:.2f} '
            f'{circumference:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {cx} {cy})"><title>{e(key)}: {counts[key]}</title></circle>'
            f'<rect x="190" y="{50 + i * 24}" width="12" height="12" fill="{COLORS[i]}"/>'
            f'<text x="208" y="{60 + i * 24}">{e(key)} {counts[key]} ({share:.0%})</text>'
        )
        offset += length
    body = "".join(parts) or '<text x="8" y="16">no live backlinks</text>'
    return _figure(chart_id, title, 330, 160, body)


def velocity_chart(chart_id: str, title: str, rows: Sequence[dict[str, Any]]) -> str:
    """New (up, green) and lost (down, red) referring domains per period."""
    rows = list(rows)[-24:]
    width, height, pad = 660, 200, 28
    top = max([1, *(r["new"] for r in rows), *(r["lost"] for r in rows)])
    mid = height / 2
    step = (width - 2 * pad) / max(len(rows), 1)
    bar = min(max(3.0, step * 0.7), 36.0)
    parts = [f'<line x1="{pad}" x2="{width - pad}" y1="{mid}" y2="{mid}" stroke="#999"/>']
    for i, r in enumerate(rows):
        x = pad + i * step + (step - bar) / 2
        up = (mid - 18) * r["new"] / top
        down = (mid - 18) * r["lost"] / top
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{mid - up:.1f}" width="{bar:.1f}" '
            f'height="{up:.1f}" fill="#16a34a"><title>{e(r["period"])}: {r["new"]} new'
            f'</title></rect><rect class="bar" x="{x:.1f}" y="{mid:.1f}" width="{bar:.1f}" '
            f'height="{down:.1f}" fill="#dc2626"><title>{e(r["period"])}: {r["lost"]} lost'
            "</title></rect>"
        )
        if len(rows) <= 12 or i % max(1, len(rows) // 8) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 2}">{e(r["period"])}</text>')
    if not rows:
        parts.append('<text x="8" y="16">no referring domains yet</text>')
    return _figure(chart_id, title, width, height, "".join(parts))


def _figure(chart_id: str, title: str, width: int, height: int, body: str) -> str:
    return (
        f'<figure class="chart" id="{e(chart_id)}"><figcaption>{e(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{e(title)}" '
        f'width="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">'
        f"{body}</svg></figure>"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    """Cells must already be HTML (escaped by the caller through ``e``/``link``)."""
    if not rows:
        return f'<p class="muted">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value: Any, cls: str = "") -> str:
    return f'<td class="{cls}">{value}</td>' if cls else f"<td>{value}</td>"


def render_html(report: Report, limit: int = 200) -> str:
    r = report
    follow = r.counts("follow")
    live_domains = sum(1 for d in r.domains if d["status"] == "live")
    kpis = [("live referring domains", live_domains), ("live backlinks", len(r.live)),
            ("followed", follow["follow"]), (f"new ({RECENT_DAYS} days)", len(r.new())),
            ("lost", len(r.lost))]
    velocity = r.velocity_month if len(r.velocity_month) >= 3 else r.velocity_week
    unit = "month" if velocity is r.velocity_month else "week"
    domain_rows = [
        [_td(e(d["referring_domain"])), _td(e(d.get("authority")), "n"),
         _td(e(d.get("live_backlinks")), "n"), _td(e(d.get("followed_backlinks")), "n"),
         _td(e(d.get("locations"))),
         _td(link((d.get("best") or {}).get("source_url")), "u"),
         _td(e((d.get("best") or {}).get("anchor_text"))),
         _td(e(d.get("first_seen"))), _td(e(d["status"]))]
        for d in r.domains[:limit]
    ]
    lost_rows = [
        [_td(link(b["source_url"]), "u"), _td(e(b.get("anchor_text"))),
         _td(f'<span title="{e(LOST_REASONS.get(b.get("lost_reason") or "", ""))}">'
             f'{e(b.get("lost_reason"))}</span>'), _td(e(b.get("lost_at")))]
        for b in r.lost[:limit]
    ]
    new_rows = [
        [_td(link(b["source_url"], r.titles.get(b["source_url"]) or b["source_url"]), "u"),
         _td(e(b.get("anchor_text"))), _td(e(r.anchor_class.get(b["key"]))),
         _td(e("follow" if b.get("follow") else "nofollow")), _td(e(b.get("location"))),
         _td(e(b.get("link_type"))), _td(e(b.get("first_seen")))]
        for b in r.new()[:limit]
    ]
    sitewide_rows = [
        [_td(e(p["source_domain"])), _td(e(p["page_count"]), "n"), _td(e(p.get("anchor_text"))),
         _td(e(p.get("location"))), _td(link(p["representative_url"]), "u")]
        for p in r.sitewide()[:limit]
    ]
    page_rows = [
        [_td(link(p["target_url"]), "u"), _td(e(p["referring_domains"]), "n"),
         _td(e(p["backlinks"]), "n"), _td(e(p["followed"]), "n"), _td(e(p["top_anchors"]))]
        for p in r.top_pages()[:limit]
    ]
    anchor_rows = [
        [_td(e(a["anchor"])), _td(e(a["class"])), _td(e(a["referring_domains"]), "n"),
         _td(e(a["backlinks"]), "n"), _td(e(f"{100 * a['followed_share']:.0f}%"), "n"),
         _td(e(a["first_seen"]))]
        for a in r.anchor_rows()[:limit]
    ]
    restored_rows = [
        [_td(link(b["source_url"]), "u"), _td(e(b.get("anchor_text"))),
         _td(e(b.get("link_type"))), _td(e(b.get("restored_at")))]
        for b in r.restored()[:limit]
    ]
    mention_rows = [
        [_td(link(m["source_url"]), "u"), _td(e(m.get("term"))), _td(e(m.get("location"))),
         _td(e(m.get("context"))), _td(e(m.get("first_seen")))]
        for m in r.mentions[:limit]
    ]
    balance = r.anchor_balance()
    balance_text = ", ".join(f"{k} {100 * v:.0f}%" for k, v in balance.items()) or "no live links"
    change_rows = [
        [_td(e(c.get("at"))), _td(e(c.get("event"))), _td(link(c["source_url"]), "u"),
         _td(e(c.get("anchor_text"))),
         _td(e(c.get("field") if c.get("event") == "changed"
               else c.get("reason") or c.get("detail"))),
         _td(e(f'{c.get("old")} → {c.get("new")}' if c.get("event") == "changed"
               else c.get("detail")))]
        for c in r.changes(limit)
    ]
    charts = "".join([
        velocity_chart("chart-velocity", f"Referring domains per {unit}: new and lost",
                       velocity),
        bar_chart("chart-types", "Live backlinks by link type", r.counts("link_type"),
                  LINK_TYPES),
        bar_chart("chart-locations", "Live backlinks by location", r.counts("location"),
                  LOCATIONS),
        donut("chart-follow", "Follow ratio", follow, ("follow", "nofollow")),
        bar_chart("chart-anchors", "Anchor classes", r.counts("anchor"), ANCHOR_CLASSES),
    ])
    kpi_html = "".join(f'<div class="kpi"><b>{n}</b>{e(label)}</div>' for label, n in kpis)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backlinks of {e(r.target)} · linkcrawl</title><style>{CSS}</style></head><body>
<h1>Backlinks of {e(r.target)}</h1>
<p class="muted">linkcrawl report, {e(r.generated_at.strftime("%Y-%m-%d %H:%M UTC"))}</p>
<div class="kpis">{kpi_html}</div>
<h2>Charts</h2><div class="charts">{charts}</div>
<h2>Referring domains</h2>
{table(["domain", "authority", "live links", "followed", "locations", "best link", "anchor",
        "first seen", "status"], domain_rows, "No referring domains.")}
<h2>New backlinks (last {RECENT_DAYS} days)</h2>
{table(["page", "anchor", "anchor class", "follow", "location", "type", "first seen"],
       new_rows, "No new backlinks.")}
<h2>Top linked pages</h2>
{table(["target page", "referring domains", "links", "followed", "top anchors"], page_rows,
       "No live backlinks.")}
<h2>Anchor texts</h2>
<p class="muted">Anchor classes of live backlinks: {e(balance_text)}. A large exact-match share
is the over-optimised profile search engines distrust.</p>
{table(["anchor", "class", "referring domains", "links", "followed", "first seen"], anchor_rows,
       "No live backlinks.")}
<h2>Lost backlinks</h2>
{table(["page", "anchor", "reason", "lost"], lost_rows, "No lost backlinks.")}
<h2>Restored backlinks</h2>
{table(["page", "anchor", "type", "restored"], restored_rows,
       "No lost backlink has come back.")}
<h2>Unlinked mentions</h2>
{table(["page", "term", "location", "context", "first seen"], mention_rows,
       "No unlinked mentions.")}
<h2>Sitewide placements</h2>
{table(["domain", "pages", "anchor", "location", "example page"], sitewide_rows,
       "No link repeated on many pages of one site.")}
<h2>Changes in the last {RECENT_DAYS} days</h2>
{table(["change", "links"], [[_td(e(c["change"])), _td(e(c["links"]), "n")]
                              for c in r.change_counts()], "No changes.")}
<h2>Recent changes</h2>
{table(["when", "event", "page", "anchor", "what", "detail"], change_rows, "No changes yet.")}
</body></html>
"""


def write_html(report: Report, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
