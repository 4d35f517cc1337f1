"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no
external assets, readable offline.

Every value that comes from a crawled page (anchors, titles, URLs, domains) is escaped
with :func:`html.escape`, links are written only for http(s) URLs, and a
Content-Security-Policy that forbids scripts is the second line of defence.
"""

from __future__ import annotations

import json
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
from linkcrawl.history.targetpages import BROKEN_STATES
from linkcrawl.report.authority import BAND_LABELS, UNSCORED, authority_band
from linkcrawl.report.build import RECENT_DAYS, Report, ordered_keys
from linkcrawl.report.gap import GapRow
from linkcrawl.report.velocity import SPIKE_MIN_NEW, SPIKE_MULTIPLE, SPIKE_WINDOW
from linkcrawl.vocab import LINK_TYPES, LOCATIONS

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
COLORS = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04",
          "#db2777", "#4b5563", "#65a30d")
NEW, LOST, TOTAL, SPIKE = "#16a34a", "#dc2626", "#2563eb", "#ea580c"
BAND_COLORS = {"top": "#16a34a", "decent": "#2563eb", "weak": "#ca8a04", UNSCORED: "#9ca3af"}
URL_CHARS = 70  # a URL shown longer than this is elided in the middle (the link keeps it all)
# SVG charts are drawn at their natural size in px and only ever grow (to 1.5x), never
# shrink below it in the supported 700-1,600 px window: so 12 px text stays >= 11 px.
FONT = 12
SMALL_W, WIDE_W = 380, 620
CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1400px;color:#111;
padding:0 1rem;overflow-wrap:break-word}h1{font-size:1.6rem;margin-bottom:.2rem}
h2{margin-top:2.2rem;border-bottom:1px solid #ddd}.muted{color:#555}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}
.kpi{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;min-width:9rem}
.kpi b{display:block;font-size:1.5rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:1.2rem}
.charts .wide{grid-column:1/-1}
figure{margin:0;border:1px solid #e5e5e5;border-radius:8px;padding:.6rem;min-width:0}
figcaption{font-weight:600;margin-bottom:.3rem}
figure svg{display:block;width:100%;height:auto}
figure p{margin:.4rem 0 0}.spike{color:#9a3412;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:.25rem .3rem;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600}td.n{text-align:right;white-space:nowrap}
td.d,th.d{white-space:nowrap}td.u,td.u a,code{overflow-wrap:anywhere}
td.u{min-width:8rem}td.u.h{min-width:6rem}
.a{display:block;color:#444}
details summary{cursor:pointer;color:#1d4ed8}details ul{margin:.2rem 0;padding-left:1rem}
code{font-size:12px;background:#f3f4f6;padding:0 .2rem;border-radius:3px}
svg text{font:12px system-ui,sans-serif;fill:#222}svg .axis{stroke:#888}
svg .grid{stroke:#e5e7eb}svg text.v{font-weight:600}
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


def elide(text: str, limit: int = URL_CHARS) -> str:
    """``text`` cut in the middle with "…" when longer than ``limit``: the host and the
    page's last path segment are what an analyst recognises."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 3 // 5
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def link(url: str | None, text: Any = None) -> str:
    """An anchor for http(s) URLs (the shown text elided when it is the URL), else text."""
    shown = e(text if text is not None else elide(url or ""))
    if not url or not url.lower().startswith(("http://", "https://")):
        return shown
    return (f'<a href="{e(url)}" title="{e(url)}" rel="nofollow noopener noreferrer">'
            f"{shown}</a>")


def _svg_text(x: float, y: float, text: Any, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{e(text)}</text>')


def _legend(items: Sequence[tuple[str, str]], y: float, x: float = 0) -> str:
    """Colour keys in a row starting at ``x``; ~7 px per character of each label."""
    parts = []
    for color, label in items:
        parts.append(f'<g class="legend"><rect x="{x:.1f}" y="{y - 10:.1f}" width="12" '
                     f'height="12" fill="{color}"/>{_svg_text(x + 17, y, label)}</g>')
        x += 30 + 7 * len(label)
    return "".join(parts)


def _ticks(top: int, count: int = 4) -> list[int]:
    """Round axis ticks from 0 to at least ``top``."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return list(range(0, top + step, step))[: count + 2]


def bar_chart(chart_id: str, title: str, counts: Counter[str], order: Sequence[str],
              unit: str = "live backlinks", colors: dict[str, str] | None = None,
              labels: dict[str, str] | None = None, total: int | None = None) -> str:
    """Horizontal bars, one per non-zero value in ``order``, each with its count and share
    (of ``total`` when given: a domain can count in two bars); an x axis with ticks, and a
    legend saying what is counted."""
    keys = ordered_keys(counts, order)
    total = total or sum(counts[k] for k in keys)
    ticks = _ticks(max((counts[k] for k in keys), default=0))
    row, label_w, value_w, top_pad = 24, 128, 78, 26
    plot_w = SMALL_W - label_w - value_w
    scale = plot_w / ticks[-1]
    axis_y = top_pad + row * max(len(keys), 1) + 4
    parts = [_legend([(TOTAL if colors is None else "#6b7280", unit)], 14)]
    for t in ticks:
        x = label_w + t * scale
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad}" '
                     f'y2="{axis_y}"/>' + _svg_text(x, axis_y + 15, t, "middle"))
    parts.append(f'<line class="axis" x1="{label_w}" x2="{label_w + plot_w}" y1="{axis_y}" '
                 f'y2="{axis_y}"/><line class="axis" x1="{label_w}" x2="{label_w}" '
                 f'y1="{top_pad}" y2="{axis_y}"/>')
    for i, key in enumerate(keys):
        y = top_pad + i * row
        w = max(2.0, counts[key] * scale)
        color = (colors or {}).get(key, TOTAL)
        name = (labels or {}).get(key, key)
        parts.append(
            _svg_text(label_w - 6, y + 16, name, "end")
            + f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{color}"><title>{e(name)}: {counts[key]}</title></rect>'
            + _svg_text(label_w + w + 4, y + 16,
                        f"{counts[key]} ({100 * counts[key] / total:.0f}%)", cls="v")
        )
    if not keys:
        parts.append(_svg_text(label_w + 6, top_pad + 16, f"no {unit}"))
    return _figure(chart_id, title, SMALL_W, axis_y + 22, "".join(parts))


def donut(chart_id: str, title: str, counts: Counter[str], order: Sequence[str]) -> str:
    """A ring split by share (the follow ratio), the first share written in the middle."""
    total = sum(counts.values())
    radius, cx, cy = 58, 80, 86
    circumference = 2 * math.pi * radius
    parts, offset = [], 0.0
    keys = [k for k in order if counts[k]]
    for i, key in enumerate(keys):
        share = counts[key] / total
        length = share * circumference
        parts.append(
            f'<circle class="slice" r="{radius}" cx="{cx}" cy="{cy}" fill="none" '
            f'stroke="{COLORS[i]}" stroke-width="26" stroke-dasharray="{length:.2f} '
            f'{circumference:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {cx} {cy})"><title>{e(key)}: {counts[key]}</title></circle>'
            f'<rect x="170" y="{56 + i * 26}" width="12" height="12" fill="{COLORS[i]}"/>'
            + _svg_text(188, 67 + i * 26, f"{key}: {counts[key]} ({share:.0%})")
        )
        offset += length
    if keys:
        parts.append(_svg_text(cx, cy + 5, f"{counts[order[0]] / total:.0%} {order[0]}",
                               "middle", "v"))
    else:
        parts.append(_svg_text(8, 20, "no live backlinks"))
    return _figure(chart_id, title, SMALL_W, 172, "".join(parts))


def _x_labels(periods: Sequence[str], step: float) -> set[int]:
    """Indexes of the periods to label so labels (~7 px a character) never overlap; the
    last period is always labelled."""
    need = 7 * max((len(p) for p in periods), default=1) + 8
    stride = max(1, math.ceil(need / max(step, 1e-9)))
    last = len(periods) - 1
    shown = {i for i in range(0, len(periods), stride) if last - i >= stride or i == last}
    return shown | {last} if periods else set()


def velocity_chart(chart_id: str, title: str, rows: Sequence[dict[str, Any]],
                   note: str = "") -> str:
    """New referring domains (green, up) and lost ones (red, down) per period on a zero
    line, with a y axis, period labels, the counts on the bars when there is room, spikes
    outlined in orange, and a legend."""
    rows = list(rows)[-24:]
    width, pad_l, pad_r, top_pad, half = WIDE_W, 40, 10, 30, 80
    mid = top_pad + half
    height = mid + half + 34
    top = max([1, *(r["new"] for r in rows), *(r["lost"] for r in rows)])
    ticks = _ticks(top, 2)
    scale = (half - 14) / ticks[-1]
    step = (width - pad_l - pad_r) / max(len(rows), 1)
    bar = min(max(3.0, step * 0.7), 40.0)
    parts = [_legend([(NEW, "new"), (LOST, "lost"), (SPIKE, "spike (outlined)")], 14)]
    for t in ticks:
        for sign in ((1, -1) if t else (1,)):
            y = mid - sign * t * scale
            parts.append(f'<line class="grid" x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" '
                         f'y2="{y:.1f}"/>' + _svg_text(pad_l - 5, y + 4, t, "end"))
    parts.append(f'<line class="axis" x1="{pad_l}" x2="{pad_l}" y1="{top_pad}" '
                 f'y2="{mid + half}"/><line class="axis" x1="{pad_l}" x2="{width - pad_r}" '
                 f'y1="{mid}" y2="{mid}"/>')
    labelled = _x_labels([r["period"] for r in rows], step)
    room = step >= 22
    for i, r in enumerate(rows):
        x = pad_l + i * step + (step - bar) / 2
        up, down = r["new"] * scale, r["lost"] * scale
        outline = f' stroke="{SPIKE}" stroke-width="3"' if r.get("spike") else ""
        parts.append(
            f'<rect class="bar new" x="{x:.1f}" y="{mid - up:.1f}" width="{bar:.1f}" '
            f'height="{up:.1f}" fill="{NEW}"{outline}><title>{e(r["period"])}: {r["new"]} '
            f'new</title></rect><rect class="bar lost" x="{x:.1f}" y="{mid:.1f}" '
            f'width="{bar:.1f}" height="{down:.1f}" fill="{LOST}"><title>{e(r["period"])}: '
            f'{r["lost"]} lost</title></rect>'
        )
        if (room or r.get("spike")) and r["new"]:
            parts.append(_svg_text(x + bar / 2, mid - up - 4, r["new"], "middle", "v"))
        if room and r["lost"]:
            parts.append(_svg_text(x + bar / 2, mid + down + 13, r["lost"], "middle", "v"))
        if i in labelled:
            parts.append(_svg_text(x + bar / 2, height - 4, r["period"], "middle"))
    if not rows:
        parts.append(_svg_text(pad_l + 8, mid - 6, "no referring domains yet"))
    return _figure(chart_id, title, width, height, "".join(parts), wide=True, note=note)


def cumulative_chart(chart_id: str, title: str, rows: Sequence[dict[str, Any]]) -> str:
    """Live referring domains at the end of each period (the velocity rows' ``cumulative``)
    as a line with points, a y axis, period labels and the first, highest and last values."""
    rows = list(rows)[-24:]
    width, pad_l, pad_r, top_pad, plot_h = WIDE_W, 40, 24, 30, 140
    height = top_pad + plot_h + 30
    values = [int(r["cumulative"]) for r in rows]
    ticks = _ticks(max([1, *values]), 4)
    scale = plot_h / ticks[-1]
    base = top_pad + plot_h
    step = (width - pad_l - pad_r) / max(len(rows), 1)
    parts = [_legend([(TOTAL, "live referring domains")], 14)]
    for t in ticks:
        y = base - t * scale
        parts.append(f'<line class="grid" x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/>' + _svg_text(pad_l - 5, y + 4, t, "end"))
    parts.append(f'<line class="axis" x1="{pad_l}" x2="{pad_l}" y1="{top_pad}" y2="{base}"/>'
                 f'<line class="axis" x1="{pad_l}" x2="{width - pad_r}" y1="{base}" '
                 f'y2="{base}"/>')
    points = [(pad_l + (i + 0.5) * step, base - v * scale) for i, v in enumerate(values)]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="line" points="{path}" fill="none" stroke="{TOTAL}" '
                     f'stroke-width="2.5"/>')
    peak = values.index(max(values)) if values else -1
    labelled = _x_labels([r["period"] for r in rows], step)
    for i, ((x, y), r) in enumerate(zip(points, rows, strict=True)):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{TOTAL}"><title>'
                     f'{e(r["period"])}: {r["cumulative"]}</title></circle>')
        if i in (0, peak, len(rows) - 1):
            parts.append(_svg_text(x, y - 8, r["cumulative"], "middle", "v"))
        if i in labelled:
            parts.append(_svg_text(x, height - 4, r["period"], "middle"))
    if not rows:
        parts.append(_svg_text(pad_l + 8, base - 8, "no referring domains yet"))
    return _figure(chart_id, title, width, height, "".join(parts), wide=True)


def _figure(chart_id: str, title: str, width: int, height: int, body: str,
            wide: bool = False, note: str = "") -> str:
    cls = "chart wide" if wide else "chart"
    return (
        f'<figure class="{cls}" id="{e(chart_id)}"><figcaption>{e(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{e(title)}" '
        f'viewBox="0 0 {width} {height}" style="max-width:{width * 5 // 4}px" '
        f'preserveAspectRatio="xMinYMin meet">{body}</svg>{note}</figure>'
    )


def spike_note(rows: Sequence[dict[str, Any]], unit: str) -> str:
    """The velocity warning in words, with its figures (or that there is none)."""
    spikes = [r for r in rows if r.get("spike")]
    rule = (f"a {unit} is flagged when its new referring domains are at least {SPIKE_MIN_NEW} "
            f"and more than {SPIKE_MULTIPLE:g} times the median of the {SPIKE_WINDOW} "
            f"{unit}s before it")
    if not spikes:
        return f'<p class="muted">No spike: {e(rule)}.</p>'
    items = "".join(
        f'<li><span class="spike">Spike in {e(r["period"])}</span>: {r["new"]} new referring '
        f'domains, {r["new"] / r["trailing_median"]:.1f}× the trailing median of '
        f'{r["trailing_median"]:g}</li>' if r["trailing_median"] else
        f'<li><span class="spike">Spike in {e(r["period"])}</span>: {r["new"]} new referring '
        f"domains after {unit}s with none</li>"
        for r in spikes)
    return (f"<p>A sudden burst of new linking sites is what search engines treat as "
            f"unnatural; check where these came from ({e(rule)}):</p><ul>{items}</ul>")


Header = str | tuple[str, str]  # a column title, or (title, CSS class)


def table(headers: Sequence[Header], rows: Sequence[Sequence[str]], empty: str) -> str:
    """Cells must already be HTML (escaped by the caller through ``e``/``link``)."""
    if not rows:
        return f'<p class="muted">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" if isinstance(h, str) else
                   f'<th class="{e(h[1])}">{e(h[0])}</th>' for h in headers)
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value: Any, cls: str = "") -> str:
    return f'<td class="{cls}">{value}</td>' if cls else f"<td>{value}</td>"


def _signals(value: Any) -> list[str]:
    """A stored evidence list (a JSON string from an older SQLite row is read too)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value else []
    return [str(v) for v in value or ()]


def _verdict(name: str, value: Any, confidence: Any, signals: list[str]) -> str:
    sure = f" (confidence {confidence:.2f})" if isinstance(confidence, (int, float)) else ""
    why = " ".join(f"<code>{e(s)}</code>" for s in signals) or "no signal recorded"
    return f"<li>{e(name)} <b>{e(value or 'other')}</b>{sure}: {why}</li>"


def evidence_cell(b: dict[str, Any]) -> str:
    """Location and type, with the signals that decided them behind a ``<details>``
    toggle (no script needed)."""
    summary = f"{e(b.get('location') or 'other')} · {e(b.get('link_type') or 'other')}"
    body = (_verdict("location", b.get("location"), b.get("location_confidence"),
                     _signals(b.get("location_evidence")))
            + _verdict("type", b.get("link_type"), b.get("confidence"),
                       _signals(b.get("evidence"))))
    return f"<details><summary>{summary}</summary><ul>{body}</ul></details>"


def authority_cell(value: Any) -> str:
    band = authority_band(value)
    if band == UNSCORED:
        return '<span class="muted">unscored</span>'
    return f'{e(float(value))} <span class="muted">{e(band)}</span>'


def _backlink_row(r: Report, b: dict[str, Any]) -> list[str]:
    return [_td(link(b["source_url"], elide(r.titles.get(b["source_url"]) or b["source_url"]))
                + f'<span class="a">{e(b.get("anchor_text"))}</span>', "u"),
            _td(e(r.anchor_class.get(b["key"]))),
            _td(e("follow" if b.get("follow") else "nofollow")), _td(evidence_cell(b)),
            _td(e(b.get("first_seen")), "d")]


BACKLINK_HEADERS: list[Header] = ["page and anchor", "anchor class", "follow",
                                  "location · type (evidence)", ("first seen", "d")]


def gap_section(target: str, competitors: Sequence[str], rows: Sequence[GapRow],
                limit: int) -> str:
    """Referring domains that link to a competitor and not to the target, strongest first."""
    names = ", ".join(competitors)
    body = [
        [_td(e(g.referring_domain)), _td(authority_cell(g.authority), "n"),
         _td(e(g.linked)), _td(e(g.followed), "n"),
         _td("<br>".join(
             f'{e(d)}: {link(b["source_url"])} <span class="muted">'
             f'{e(b.get("link_type"))}/{e(b.get("location"))}</span>'
             for d, b in g.best.items()), "u")]
        for g in rows[:limit]
    ]
    count = "1 referring domain links" if len(rows) == 1 else f"{len(rows)} referring domains link"
    return (f"<h2>Competitor gap</h2><p>{count} to {e(names)} "
            f"and not to {e(target)}: the outreach list, strongest first.</p>"
            + table(["referring domain", "authority", "links to", "followed", "best link"],
                    body, "No referring domain links to a competitor and not to the target."))


# what each broken state means, in the words the section shows
BROKEN_LABELS = {"broken": "error page", "redirect_home": "redirects to the home page",
                 "redirect_offsite": "redirects to another site"}
DIVERSITY_TOP = 10  # values charted per diversity chart; the rest are one "others" bar
DIVERSITY_TITLES = {"tld": "top-level domain", "language": "page language",
                    "network": "network (IP /24 or /48)"}


def broken_section(r: Report, limit: int) -> str:
    """Live backlinks whose target page is gone or redirects to an unrelated page, strongest
    referring domain first: fix the page or redirect it, and the link counts again."""
    authority = {d["referring_domain"]: d.get("authority") for d in r.domains}
    rows = r.broken()
    states = Counter(b.get("target_state") for b in rows)
    pages = len({b["target_url"] for b in rows})
    body = [
        [_td(link(b["target_url"]), "u"),
         _td(e(BROKEN_LABELS.get(b.get("target_state") or "", b.get("target_state")))
             + f'<span class="a">{e(b.get("target_reason"))}</span>'),
         _td(link(b["source_url"]) + f'<span class="a">{e(b.get("anchor_text"))}</span>', "u"),
         _td(authority_cell(authority.get(b["source_domain"])), "n"),
         _td(e("follow" if b.get("follow") else "nofollow")),
         _td(e(b.get("target_checked_at")), "d")]
        for b in rows[:limit]
    ]
    kinds = ", ".join(f"{BROKEN_LABELS[k]}: {states[k]}" for k in BROKEN_STATES if states[k])
    intro = (f"{len(rows)} live backlink{'s' if len(rows) > 1 else ''} point to {pages} "
             f"broken or redirected page{'s' if pages > 1 else ''} "
             f"({kinds}): restore each page or redirect it to the right one, strongest "
             "referring domain first." if rows else
             "Checked by <code>linkcrawl broken</code> (or <code>scrapy crawl targets</code>);"
             " no live backlink points to a broken page, or the pages were not checked yet.")
    return (f'<h2 id="broken">Broken backlinks to reclaim</h2><p class="muted">{intro}</p>'
            + table(["target page", "answer", "linking page and anchor", "authority", "follow",
                     ("checked", "d")], body, "No broken backlinks."))


def _top(rows: Sequence[dict[str, Any]], name: str) -> tuple[Counter[str], list[str]]:
    """The first :data:`DIVERSITY_TOP` values and an "others" total, in their order."""
    counts: Counter[str] = Counter()
    order = []
    for i, row in enumerate(rows):
        key = row[name] if i < DIVERSITY_TOP else "others"
        if key not in counts:
            order.append(key)
        counts[key] += row["referring_domains"]
    return counts, order


def diversity_section(r: Report) -> str:
    """Live referring domains by top-level domain, by page language and by network (when the
    crawl stored addresses: :data:`~linkcrawl.report.build.NETWORK_FIELD`), each a bar chart
    with the largest share said in words: one TLD, one language or one network holding most
    of the profile is narrower than the count of domains suggests (many domains on one
    network is a link-farm sign)."""
    diversity = r.diversity()
    charts, notes = [], []
    total = sum(1 for d in r.domains if d.get("status") == "live")
    for kind, title in DIVERSITY_TITLES.items():
        rows = diversity.get(kind)
        if rows is None:
            continue
        counts, order = _top(rows, kind)
        charts.append(bar_chart(f"chart-{kind}", f"Live referring domains by {title}", counts,
                                order, unit="live referring domains", total=total))
        if rows and total:
            first = rows[0]
            noun = title.split(" (")[0]
            notes.append(f"{len(rows)} {noun}{'s' if len(rows) > 1 else ''}; the largest, "
                         f"{first[kind]}, has "
                         f"{first['referring_domains']} of {total} live referring domains "
                         f"({100 * first['referring_domains'] / total:.0f}%)")
    if "network" not in diversity:
        notes.append("networks (IP /24 or /48) are not stored by this crawl: no linking page "
                     "was fetched from its own address (a proxy or the browser)")
    text = "; ".join(notes) or "no live referring domains"
    return (f'<h2 id="diversity">Referring network diversity</h2><p class="muted">'
            f"{e(text[0].upper() + text[1:])}.</p>"
            f'<div class="charts">{"".join(charts)}</div>')


def render_html(report: Report, limit: int = 200,
                gap: tuple[Sequence[str], Sequence[GapRow]] | None = None) -> str:
    """The page; ``gap`` is (competitors, :func:`~linkcrawl.report.gap.link_gap` rows)
    when competitors were named."""
    r = report
    follow = r.counts("follow")
    live_domains = sum(1 for d in r.domains if d["status"] == "live")
    kpis = [("live referring domains", live_domains), ("live backlinks", len(r.live)),
            ("followed", follow["follow"]), (f"new ({RECENT_DAYS} days)", len(r.new())),
            ("lost", len(r.lost))]
    velocity = r.velocity_month if len(r.velocity_month) >= 3 else r.velocity_week
    unit = "month" if velocity is r.velocity_month else "week"
    domain_rows = [
        [_td(e(d["referring_domain"]), "u h"), _td(authority_cell(d.get("authority")), "n"),
         _td(e(d.get("live_backlinks")), "n"), _td(e(d.get("followed_backlinks")), "n"),
         _td(e(d.get("locations"))),
         _td(link((d.get("best") or {}).get("source_url"))
             + f'<span class="a">{e((d.get("best") or {}).get("anchor_text"))}</span>', "u"),
         _td(e(d.get("first_seen")), "d"), _td(e(d["status"]))]
        for d in r.domains[:limit]
    ]
    lost_rows = [
        [_td(link(b["source_url"]), "u"), _td(e(b.get("anchor_text"))),
         _td(f'<span title="{e(LOST_REASONS.get(b.get("lost_reason") or "", ""))}">'
             f'{e(b.get("lost_reason"))}</span>'), _td(e(b.get("lost_at")), "d")]
        for b in r.lost[:limit]
    ]
    best_rows = [_backlink_row(r, b) for b in r.best()[:limit]]
    new_rows = [_backlink_row(r, b) for b in r.new()[:limit]]
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
         _td(e(a["first_seen"]), "d")]
        for a in r.anchor_rows()[:limit]
    ]
    restored_rows = [
        [_td(link(b["source_url"]), "u"), _td(e(b.get("anchor_text"))),
         _td(e(b.get("link_type"))), _td(e(b.get("restored_at")), "d")]
        for b in r.restored()[:limit]
    ]
    mention_rows = [
        [_td(link(m["source_url"]), "u"), _td(e(m.get("term"))), _td(e(m.get("location"))),
         _td(e(m.get("context"))), _td(e(m.get("first_seen")), "d")]
        for m in r.mentions[:limit]
    ]
    balance = r.anchor_balance()
    balance_text = ", ".join(f"{k} {100 * v:.0f}%" for k, v in balance.items()) or "no live links"
    change_rows = [
        [_td(e(c.get("at")), "d"), _td(e(c.get("event"))), _td(link(c["source_url"]), "u"),
         _td(e(c.get("anchor_text"))),
         _td(e(c.get("field") if c.get("event") == "changed"
               else c.get("reason") or c.get("detail"))),
         _td(e(f'{c.get("old")} → {c.get("new")}' if c.get("event") == "changed"
               else c.get("detail")))]
        for c in r.changes(limit)
    ]
    bands = r.authority_bands()
    charts = "".join([
        velocity_chart("chart-velocity", f"Referring domains per {unit}: new and lost",
                       velocity, note=spike_note(velocity, unit)),
        cumulative_chart("chart-cumulative", f"Live referring domains at the end of each {unit}",
                         velocity),
        bar_chart("chart-types", "Live backlinks by link type", r.counts("link_type"),
                  LINK_TYPES),
        bar_chart("chart-locations", "Live backlinks by location", r.counts("location"),
                  LOCATIONS),
        bar_chart("chart-authority", "Live referring domains by authority", bands,
                  list(BAND_LABELS), unit="live referring domains", colors=BAND_COLORS,
                  labels=BAND_LABELS),
        donut("chart-follow", "Follow share of live backlinks", follow, ("follow", "nofollow")),
        bar_chart("chart-anchors", "Live backlinks by anchor class", r.counts("anchor"),
                  ANCHOR_CLASSES),
    ])
    band_text = "; ".join(f"{BAND_LABELS[k]} {bands[k]}" for k in BAND_LABELS)
    kpi_html = "".join(f'<div class="kpi"><b>{n}</b>{e(label)}</div>' for label, n in kpis)
    gap_html = gap_section(r.target, gap[0], gap[1], limit) if gap else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backlinks of {e(r.target)} · linkcrawl</title><style>{CSS}</style></head><body>
<h1>Backlinks of {e(r.target)}</h1>
<p class="muted">linkcrawl report, {e(r.generated_at.strftime("%Y-%m-%d %H:%M UTC"))}</p>
<div class="kpis">{kpi_html}</div>
<h2>Charts</h2><div class="charts">{charts}</div>
<p class="muted">Authority bands of live referring domains: {e(band_text)}.</p>
<h2>Referring domains</h2>
{table(["domain", "authority", "live links", "followed", "locations", "best link and its anchor",
        ("first seen", "d"), "status"], domain_rows, "No referring domains.")}
<h2>Best backlinks</h2>
<p class="muted">Live links, most valuable first (followed, in the content, editorial). Open
"location · type" for the signals that decided them.</p>
{table(BACKLINK_HEADERS, best_rows, "No live backlinks.")}
<h2>New backlinks (last {RECENT_DAYS} days)</h2>
{table(BACKLINK_HEADERS, new_rows, "No new backlinks.")}
{gap_html}
<h2>Top linked pages</h2>
{table(["target page", "referring domains", "links", "followed", "top anchors"], page_rows,
       "No live backlinks.")}
<h2>Anchor texts</h2>
<p class="muted">Anchor classes of live backlinks: {e(balance_text)}. A large exact-match share
is the over-optimised profile search engines distrust.</p>
{table(["anchor", "class", "referring domains", "links", "followed", ("first seen", "d")],
       anchor_rows, "No live backlinks.")}
{broken_section(r, limit)}
{diversity_section(r)}
<h2>Lost backlinks</h2>
{table(["page", "anchor", "reason", ("lost", "d")], lost_rows, "No lost backlinks.")}
<h2>Restored backlinks</h2>
{table(["page", "anchor", "type", ("restored", "d")], restored_rows,
       "No lost backlink has come back.")}
<h2>Unlinked mentions</h2>
{table(["page", "term", "location", "context", ("first seen", "d")], mention_rows,
       "No unlinked mentions.")}
<h2>Sitewide placements</h2>
{table(["domain", "pages", "anchor", "location", "example page"], sitewide_rows,
       "No link repeated on many pages of one site.")}
<h2>Changes in the last {RECENT_DAYS} days</h2>
{table(["change", "links"], [[_td(e(c["change"])), _td(e(c["links"]), "n")]
                              for c in r.change_counts()], "No changes.")}
<h2>Recent changes</h2>
{table([("when", "d"), "event", "page", "anchor", "what", "detail"], change_rows,
       "No changes yet.")}
</body></html>
"""


def write_html(report: Report, path: Path,
               gap: tuple[Sequence[str], Sequence[GapRow]] | None = None) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(report, gap=gap), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
