"""A second process on the same database: it looks PDQ hashes up again and again and says when each one
starts and stops matching, and whether its own index holds it (tests and bench/index_start.py run it).

    python index_watcher.py SECONDS HASH...     (SXR_DATABASE_URL and SXR_DATA_DIR name the deployment)

Prints one JSON line when ready ({"ready": true, ...}), then one per change it sees
({"hash", "matched", "indexed", "at"}: at is time.time()), and at the end {"done": true, "lookups",
"lookup_queries"}: the statements look-ups ran on this thread while nothing matched (the follower's own
polls run on its thread and are not counted). It stops after SECONDS or when its standard input closes.
"""

from __future__ import annotations

import json
import select
import sys
import threading
import time

from sqlalchemy import event

from sxr.config import get_settings
from sxr.db import get_engine, session_scope
from sxr.media.signal_types import SIGNAL_TYPES
from sxr.watchlist.services import live_index, lookup


def main() -> int:
    seconds, hashes = float(sys.argv[1]), sys.argv[2:]
    url = get_settings().resolved_database_url
    main_thread = threading.get_ident()
    queries = [0]

    def count(*_args: object) -> None:
        if threading.get_ident() == main_thread:
            queries[0] += 1

    event.listen(get_engine(url), "before_cursor_execute", count)
    with session_scope(url) as session:
        index = live_index(session)
        print(json.dumps({"ready": True, "loaded_from": index.source, "seq": index.seq}), flush=True)
    state = {h: (False, False) for h in hashes}
    deadline = time.monotonic() + seconds
    lookups = lookup_queries = 0
    pdq = SIGNAL_TYPES["pdq"]
    while time.monotonic() < deadline:
        if select.select([sys.stdin], [], [], 0)[0] and not sys.stdin.readline():
            break  # the test let go of us
        before = queries[0]
        with session_scope(url) as session:
            found = lookup(session, [{"type": "pdq", "value": h} for h in hashes])
            index = live_index(session)
            held = index.value_index(pdq).search([[h] for h in hashes])
        lookups += 1
        if not any(found):
            lookup_queries += queries[0] - before
        for h, hits, labels in zip(hashes, found, held, strict=True):
            now = (bool(hits), bool(labels))
            if now != state[h]:
                state[h] = now
                line = {"hash": h, "matched": now[0], "indexed": now[1], "at": time.time()}
                print(json.dumps(line), flush=True)
        time.sleep(0.01)
    print(json.dumps({"done": True, "lookups": lookups, "lookup_queries": lookup_queries}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
