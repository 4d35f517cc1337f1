"""``linkcrawl demo``: serve the bundled demo web on 127.0.0.1, crawl it, print a summary."""

from __future__ import annotations

import argparse

from linkcrawl.cli.common import DEMO_TARGETS, store_uri
from linkcrawl.errors import ConfigError


def run(args: argparse.Namespace) -> int:
    from linkcrawl.crawl.runner import run_crawl
    from linkcrawl.ops.localweb import DEMO_WEB_DIR, LocalWeb
    from linkcrawl.report.build import summary_text
    from linkcrawl.store import open_store

    seeds_file = DEMO_WEB_DIR.parent / "seeds" / "demo.txt"
    if not seeds_file.is_file():
        raise ConfigError(f"demo seeds not found at {seeds_file}: run from a linkcrawl checkout")
    uri = store_uri(args)
    open_store(uri).close()  # a bad store fails here, before the demo web starts
    with LocalWeb(DEMO_WEB_DIR) as web:
        print(f"demo web: {len(web.hosts)} sites served on {web.proxy_url}", flush=True)
        print(f"crawling with spider 'sites' into {uri} ...", flush=True)
        stats = run_crawl(
            "sites",
            {"seeds_file": str(seeds_file), "targets": ",".join(DEMO_TARGETS)},
            {
                "LINKCRAWL_STORE_URI": uri,
                "LINKCRAWL_HTTP_PROXY": web.proxy_url,
                "LINKCRAWL_ALLOW_PRIVATE_ADDRESSES": True,
                "LOG_LEVEL": "INFO" if args.verbose else "WARNING",
            },
        )
    print(
        f"crawled {stats.get('linkcrawl/pages', 0)} pages, "
        f"{stats.get('linkcrawl/links_found', 0)} links, "
        f"{stats.get('linkcrawl/backlinks_stored', 0)} backlinks stored, "
        f"{stats.get('linkcrawl/page_errors', 0)} errors, "
        f"{stats.get('linkcrawl/robots_blocked', 0)} URLs blocked by robots.txt "
        f"(run {stats.get('linkcrawl/run_id', '?')})\n"
    )
    with open_store(uri) as store:
        print(summary_text(store, list(DEMO_TARGETS)))
    return 0
