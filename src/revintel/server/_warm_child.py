"""The helper process computing the kept results again (started by
:class:`revintel.server._warm_helper.WarmHelper`): ``python -m revintel.server._warm_child JOB``.

It lowers its own scheduling priority first (the server answers requests meanwhile), builds the
application on the copied store, runs the warmers it is given once and writes every result it
computed, each pickled on its own (one that cannot be pickled is left out: the server computes it
when asked), with each warmer's seconds and the keys of the results it computed or read.
"""

from __future__ import annotations

import json
import os
import pickle
import secrets
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the job described by the JSON file ``argv[0]``; the exit code."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    os.nice(int(job["nice"]))
    # Imported after lowering the priority: building the application is part of the work.
    from pydantic import SecretStr

    from revintel.server._app import create_app
    from revintel.server._settings import Settings

    secret = SecretStr(secrets.token_urlsafe(48))
    settings = Settings(**job["settings"], secret_key=secret)
    app = create_app(settings)
    state = app.state.revintel
    try:
        state.urls_again = [(path, query) for path, query in job["urls"]]
        done = state.warm_here(job["warmers"])
        results = []
        for key, value, seconds in state.cache.computed():
            try:
                blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # bound to this process (a connection): computed when asked
                continue
            results.append((key, blob, seconds))
        out = Path(job["out"])
        part = out.with_suffix(".part")
        part.write_bytes(pickle.dumps({"results": results, "costs": done.costs, "keys": done.keys}))
        part.replace(out)
    finally:
        state.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
