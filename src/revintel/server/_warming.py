"""Computing views ahead on one background thread, at start and after every data change.

Warmers of the pages most visitors open run after every change, before its author is answered.
Warmers of slow pages (``late``) run after those; after a change such a warmer runs again only
when a reader asked for one of the results it computed last time (the page itself or a result
behind it) since then. A slow page nobody opened is not recomputed after every import: its next
visitor computes it from the current data, and from then on it is computed ahead again.

The slow pages' warmers, and after a change (while the results of before are answered) the
others, may run in a helper process instead (:attr:`Warming.helper`, see
:mod:`revintel.server._warm_helper`), so the server's interpreter stays free for requests.

Each warmer's runs, skipped runs and seconds are counted (:class:`WarmerStats`, read by the
metrics).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from revintel.server._cache import Key, ResultCache, fresh_reads, recording_keys
from revintel.server._memory import release_freed_memory

logger = logging.getLogger(__name__)


@dataclass
class WarmerStats:
    """What one warmer cost so far."""

    #: Passes that ran it.
    runs: int = 0
    #: Passes that left it out: nobody asked for its results since its last run.
    skipped: int = 0
    #: Wall-clock seconds of its runs.
    seconds: float = 0.0
    #: Processor seconds of the whole process during its runs (the request handlers it calls
    #: run on worker threads; under load this includes other requests' time as well).
    cpu_seconds: float = 0.0
    #: Wall-clock seconds of its last run (``None`` before its first).
    last_seconds: float | None = None


@dataclass
class HelperRun:
    """What a helper process computed: each warmer's wall and processor seconds, and (slow
    pages' warmers) the keys of the results it computed or read, by warmer name."""

    costs: dict[str, tuple[float, float]] = field(default_factory=dict)
    keys: dict[str, list[Key]] = field(default_factory=dict)
    #: The data changed while it computed: nothing it computed was kept.
    superseded: bool = False


@dataclass
class Warmer:
    """A function computing views ahead, what it costs, and (late ones) what it computed."""

    run: Callable[[], None]
    late: bool
    stats: WarmerStats
    #: Keys of the results the last run computed or read (``None`` before its first run).
    keys: frozenset[Key] | None = None

    @property
    def name(self) -> str:
        """The warmer's name in logs and metrics: the function that made it."""
        return getattr(self.run, "__qualname__", repr(self.run)).split(".<locals>")[0]


class Warming:
    """Runs the warmers on one background thread; a request while it runs queues one more pass.

    Parameters
    ----------
    cache
        The result cache the warmers fill: it tells which results readers asked for.
    """

    def __init__(self, cache: ResultCache) -> None:
        self.cache = cache
        self.warmers: list[Warmer] = []
        #: Called after a pass of the early warmers when no other pass is queued.
        self.on_settled: Callable[[], None] = lambda: None
        #: Runs the named warmers elsewhere (the slow pages' ones always, the others while
        #: older results are answered), or returns ``None`` when it could not: they then run
        #: here.
        self.helper: Callable[[list[str]], HelperRun | None] | None = None
        self._lock = threading.Lock()
        self._running = False
        self._again = False
        self._thread: threading.Thread | None = None
        #: Seconds the last complete pass took (``None`` before the first).
        self.last_seconds: float | None = None
        self.cancelled = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        #: Set once the (not late) warmers computed everything of the latest data.
        self.settled = threading.Event()
        self.settled.set()

    def add(self, run: Callable[[], None], *, late: bool) -> None:
        """Run ``run`` in every pass (``late``: after the others settled, when asked for)."""
        self.warmers.append(Warmer(run, late, WarmerStats()))

    @property
    def stats(self) -> dict[str, WarmerStats]:
        """Each warmer's costs by name."""
        return {warmer.name: warmer.stats for warmer in self.warmers}

    def request(self) -> None:
        """Run a pass of the warmers soon (one more when a pass is running)."""
        with self._lock:
            if not self.warmers or self.cancelled.is_set():
                return
            self._again = True
            self.settled.clear()
            if self._running:
                return
            self._running = True
            self.idle.clear()
            self._thread = threading.Thread(target=self._run, name="revintel-warm-up", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        started = time.monotonic()
        while True:
            with self._lock:
                if not self._again or self.cancelled.is_set():
                    self.on_settled()
                    self.settled.set()
                    late = not self.cancelled.is_set()
                else:
                    self._again = False
                    late = None
            if late is None:
                self._pass(late=False)
                continue
            if late:
                self._pass(late=True)
            release_freed_memory()  # the results of before were dropped: return their memory
            with self._lock:
                if self._again and not self.cancelled.is_set():
                    continue  # a change arrived meanwhile: another pass
                self._running = False
                self.idle.set()
                self.last_seconds = time.monotonic() - started
                return

    def _pass(self, *, late: bool) -> None:
        with fresh_reads():
            chosen = []
            for warmer in self.warmers:
                if warmer.late != late:
                    continue
                if late and warmer.keys is not None and not self.cache.requested(warmer.keys):
                    warmer.stats.skipped += 1
                    logger.info("%s left out: nobody opened its results since", warmer.name)
                    continue
                chosen.append(warmer)
            if not chosen or self._pass_in_helper(chosen, late=late):
                return
            for warmer in chosen:
                if self.cancelled.is_set():
                    break
                self._run_one(warmer)

    def _pass_in_helper(self, chosen: list[Warmer], *, late: bool) -> bool:
        """Run ``chosen`` through :attr:`helper` — the slow pages' warmers always, the others
        while results of before are answered — and whether it did."""
        if self.helper is None or self.cancelled.is_set():
            return False
        if not late and not self.cache.refreshing:
            return False  # at start: nothing to answer meanwhile, computing here is quicker
        done = self.helper([warmer.name for warmer in chosen])
        if done is None:
            return False
        if done.superseded:
            return True  # the data changed again: the next pass computes it
        for warmer in chosen:
            if warmer.name not in done.costs:
                # Added to this server only (the helper's application has no such warmer).
                if not self.cancelled.is_set():
                    self._run_one(warmer)
                continue
            wall, cpu = done.costs[warmer.name]
            warmer.stats.runs += 1
            warmer.stats.seconds += wall
            warmer.stats.cpu_seconds += cpu
            warmer.stats.last_seconds = wall
            if warmer.late:
                self._remember_keys(warmer, set(done.keys.get(warmer.name, ())))
        return True

    def _run_one(self, warmer: Warmer) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            with recording_keys() as keys:
                warmer.run()
        except Exception:  # a failed warm-up only means a slower first visit
            logger.warning("computing the views ahead failed", exc_info=True)
        finally:
            warmer.stats.runs += 1
            warmer.stats.last_seconds = time.perf_counter() - wall
            warmer.stats.seconds += warmer.stats.last_seconds
            warmer.stats.cpu_seconds += time.process_time() - cpu
        if warmer.late:
            self._remember_keys(warmer, keys)

    def _remember_keys(self, warmer: Warmer, keys: set[Key]) -> None:
        self.cache.watch(keys, replacing=warmer.keys or frozenset())
        # A run that computed nothing (no user to compute as, yet) runs again next time.
        warmer.keys = frozenset(keys) or None

    def run_here(self, names: list[str]) -> HelperRun:
        """Run the warmers named (a helper process's job) on the calling thread, each once:
        their seconds and the keys of the results each computed or read."""
        done = HelperRun()
        with fresh_reads():
            for warmer in self.warmers:
                if warmer.name not in names or self.cancelled.is_set():
                    continue
                wall, cpu = warmer.stats.seconds, warmer.stats.cpu_seconds
                self._run_one(warmer)
                done.costs[warmer.name] = (
                    warmer.stats.seconds - wall,
                    warmer.stats.cpu_seconds - cpu,
                )
                done.keys[warmer.name] = sorted(warmer.keys or ())
        return done

    def stop(self, timeout: float) -> None:
        """Have the warmers end early and wait up to ``timeout`` seconds for the thread."""
        self.cancelled.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
