"""The rule both stores apply to a numbered edge batch (linkcrawl.store.edgecount)."""

from __future__ import annotations

from typing import Any

import pytest

from linkcrawl.store.edgecount import EdgeCount, count_batch


def edge(links: int, run: str = "r1", writer: str | None = "w", upto: int | None = 0,
         batches: tuple[int, ...] = ()) -> dict[str, Any]:
    return {"links": links, "run_id": run, "writer": writer, "batches_upto": upto,
            "batches": list(batches)}


@pytest.mark.parametrize(("stored", "run", "links", "batch", "stored_upto", "expect"), [
    # a new edge counts, and remembers its batch
    (None, "r1", 3, ("w", 1), 0, EdgeCount(3, True, "w", 0, (1,))),
    # the same batch again (a lost reply): nothing changes
    (edge(3, batches=(1,)), "r1", 3, ("w", 1), 0, EdgeCount(3, False, "w", 0, (1,))),
    # an older batch after a newer one: it adds
    (edge(3, batches=(2,)), "r1", 4, ("w", 1), 0, EdgeCount(7, True, "w", 0, (2, 1))),
    # a batch at or below what the writer said is stored comes again only as a retry
    (edge(3, upto=5), "r1", 4, ("w", 5), 5, EdgeCount(3, False, "w", 5, ())),
    # stored_upto trims the memory to the batches above it
    (edge(3, upto=1, batches=(2, 3, 6)), "r1", 1, ("w", 7), 3,
     EdgeCount(4, True, "w", 3, (6, 7))),
    # a lower stored_upto never lowers the edge's
    (edge(3, upto=4, batches=(6,)), "r1", 1, ("w", 5), 2, EdgeCount(4, True, "w", 4, (6, 5))),
    # another writer of the same run: adds, and its memory replaces the other's
    (edge(3, writer="v", upto=9, batches=(10,)), "r1", 2, ("w", 1), 0,
     EdgeCount(5, True, "w", 0, (1,))),
    # a new run starts the count again, whatever the numbers
    (edge(3, run="r0", batches=(1,)), "r1", 2, ("w", 1), 0, EdgeCount(2, True, "w", 0, (1,))),
    # unnumbered: always adds, forgets the memory
    (edge(3, batches=(1,)), "r1", 2, None, 0, EdgeCount(5, True, None, None, ())),
    (edge(3, run="r0"), "r1", 2, None, 0, EdgeCount(2, True, None, None, ())),
])
def test_count_batch(stored: dict[str, Any] | None, run: str, links: int,
                     batch: tuple[str, int] | None, stored_upto: int,
                     expect: EdgeCount) -> None:
    assert count_batch(stored, run, links, batch, stored_upto) == expect
