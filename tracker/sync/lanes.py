"""A sync run's steps fetched at once: a thread per service, each with its own database connection.

The client keeps each host to the polite rate (five requests a second by default), so
a run asking one service at a time spends nearly all its time waiting on one host while
the others stand idle. Here each service (Bills, Members, Hansard, Commons Votes, Lords
Votes, Questions, legislation.gov.uk) gets a thread of its own: every host still sees
one client at the polite rate, and the run takes as long as its busiest service rather
than the sum of them all.

Order is kept where the data needs it. A service's steps run in the plan's order, and a
step starts only after every step planned before it that writes what it reads
(``Step.reads``, ``Step.writes``): the Hansard search after the bills' stages, member
resolution after every step naming members. Since a step only ever waits for steps
planned before it, the waits cannot form a cycle; and the plan's order being a valid
sequential order of the same steps, both ways end with the same records.

Writes stay whole and safe: each thread writes through its own connection, in the store's
``BEGIN IMMEDIATE`` transactions with a busy timeout (one writer at a time, the others
wait); the client's archive takes one record at a time, and its conditional-request cache
reads and writes through the calling thread's connection. A step that raises skips the
steps that need it (each named in one line) while the others go on; the run then raises
the first error, as a sequential run stops at it. Ctrl-C stops every thread at its next
unit of work.
"""
import dataclasses
import threading

from scrapers.errors import TrackerError
from tracker import store


class _NotRun(Exception):
    """A step skipped because a step it needs failed (named in ``causes``), or the run is stopping."""

    def __init__(self, causes: tuple = ()) -> None:
        super().__init__()
        self.causes = causes


LOCAL = "local"  # the thread of the steps that fetch nothing


def prerequisites(steps: list, index: int) -> list[int]:
    """The indices of the steps that ``steps[index]`` waits for: those planned before it that write what it reads."""
    reads = steps[index].reads
    return [earlier for earlier in range(index) if steps[earlier].writes & reads]


def lanes(steps: list) -> dict[str, list[int]]:
    """``{service: indices of its steps, in plan order}``: one thread each."""
    by_service: dict[str, list[int]] = {}
    for index, step in enumerate(steps):
        by_service.setdefault(step.service or LOCAL, []).append(index)
    return by_service


def _causes(step, outcome: BaseException) -> tuple:
    """The failed steps behind ``step``'s outcome: itself, or what it was skipped for."""
    return outcome.causes if isinstance(outcome, _NotRun) else (step.name,)


def run_concurrently(run, steps: list, *, cache: store.HttpCache) -> None:
    """Run ``steps`` for ``run``, a thread per service; raise the first step's error after all have ended."""
    path = store.database_path(run.db)
    finished = [threading.Event() for _ in steps]
    outcome: list[BaseException | None] = [None] * len(steps)
    stopping = threading.Event()

    def lane(service: str, indices: list[int]) -> None:
        try:
            db = store.open_db(path)
        except BaseException as error:  # its steps fail, and those waiting for them are told, not left waiting
            for index in indices:
                outcome[index] = error
                finished[index].set()
            return
        cache.use(db)
        view = dataclasses.replace(run, db=db, lane=service, stopping=stopping)
        try:
            for index in indices:
                try:
                    waited = prerequisites(steps, index)
                    for earlier in waited:
                        finished[earlier].wait()
                    if stopping.is_set():
                        outcome[index] = _NotRun()
                        continue
                    causes = tuple(dict.fromkeys(cause for e in waited if outcome[e] is not None for cause in _causes(steps[e], outcome[e])))
                    if causes:
                        run.say(f"{steps[index].name}: not run, as {', '.join(causes)} failed")
                        outcome[index] = _NotRun(causes)
                        continue
                    steps[index](view)
                except BaseException as error:  # handed to the main thread, which raises it
                    outcome[index] = error
                finally:
                    finished[index].set()
        finally:
            db.close()

    threads = [threading.Thread(target=lane, args=(service, indices), name=f"sync-{service}", daemon=True)
               for service, indices in lanes(steps).items()]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        stopping.set()
        for thread in threads:
            thread.join()
        raise
    errors = [error for error in outcome if error is not None and not isinstance(error, _NotRun)]
    for error in errors:
        if not isinstance(error, TrackerError):
            raise error
    if errors:
        for later in errors[1:]:
            run.fail(later)
        raise errors[0]
