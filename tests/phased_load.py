"""A real ``kb load --verbose`` process whose phases the test follows, to kill or pause it
inside the phase it means to, and to know afterwards where a kill landed.

``kb load -v`` prints ``plan: ...``, ``write: ...`` and ``derive: ...`` on stderr as each
phase begins (the line is flushed before the phase's work starts), then one summary line
per file once the load is done (``done``: it then flushes the store and exits). A process
killed with SIGKILL has printed every line of the phases it began and none of the others,
so the last phase line on its stderr is where the kill landed: no race with the clock.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Store

from kb.namespaces import DERIVE_PENDING_GRAPH, LOAD_JOURNAL_GRAPH, STAGING_GRAPH_PREFIX

KB_EXE = str(Path(sys.executable).with_name("kb"))
PHASES = ("plan", "write", "derive", "done")
"""In order; before ``plan`` the process starts and opens the store ("start")."""


class PhasedLoad:
    """``kb load -v FILES`` on ``store``, its phase lines read as they come."""

    def __init__(self, store: Path, files: Sequence[Path | str]) -> None:
        env = {**os.environ, "KB_STORE": str(store)}
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [KB_EXE, "load", "--verbose", *map(str, files)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.began: dict[str, float] = {}  # phase -> seconds after start
        self.lines: list[str] = []
        self._events = {p: threading.Event() for p in PHASES}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            name = line.split(":", 1)[0]
            phase = name if name in PHASES[:-1] else "done" if _done(line) else None
            if phase and phase not in self.began:
                self.began[phase] = time.monotonic() - self.started
                self._events[phase].set()
        for event in self._events.values():  # the process is gone: nobody waits for ever
            event.set()

    def wait_for(self, phase: str, timeout: float = 120) -> bool:
        """Block until ``phase`` has begun; False if the process ended without it."""
        self._events[phase].wait(timeout)
        return phase in self.began

    def landed(self) -> str:
        """The phase the process was in when it died (its last phase line)."""
        self._reader.join(timeout=60)
        return max(self.began, key=PHASES.index, default="start")

    def kill(self) -> str:
        """SIGKILL it; return the phase it was in, or ``exited`` if it had finished."""
        running = self.proc.poll() is None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)
        return self.landed() if running else "exited"

    def pause(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def finish(self, timeout: float = 300) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=60)
        return code


def durations(load: PhasedLoad) -> dict[str, float]:
    """How long each phase of a finished load took (``done``: flushing and exiting)."""
    ended = time.monotonic() - load.started
    begins = [load.began[p] for p in PHASES] + [ended]
    return {p: begins[i + 1] - begins[i] for i, p in enumerate(PHASES)}


def read_only(store: Path) -> Store:
    """A read-only snapshot, retried: a writer's compaction can race the opening."""
    for attempt in range(50):
        try:
            return Store.read_only(str(store))
        except (OSError, RuntimeError):
            if attempt == 49:
                raise
            time.sleep(0.02)
    raise AssertionError("unreachable")


def journaled(store: Path) -> bool:
    """Whether a write's journal lists graphs: staged or bulk-written, not swapped in."""
    snapshot = read_only(store)
    listed = any(
        True for _ in snapshot.quads_for_pattern(None, None, None, NamedNode(LOAD_JOURNAL_GRAPH))
    )
    del snapshot
    return listed


def store_state(store: Path) -> str:
    """What a killed write left in the store, read before anything repairs it."""
    snapshot = read_only(store)
    graphs = {g.value for g in snapshot.named_graphs() if isinstance(g, NamedNode)}
    journal = LOAD_JOURNAL_GRAPH in graphs and any(
        True for _ in snapshot.quads_for_pattern(None, None, None, NamedNode(LOAD_JOURNAL_GRAPH))
    )
    staging = any(g.startswith(STAGING_GRAPH_PREFIX) for g in graphs)
    pending = DERIVE_PENDING_GRAPH in graphs
    del snapshot
    if journal or staging:
        return "journaled write not finished"
    return "derivation pending" if pending else "clean"


def _done(line: str) -> bool:
    """A line printed once the load is done: a file's, or the batch's summary."""
    return " quads into <" in line or line.startswith("loaded ")


@dataclass
class Kill:
    """One SIGKILL aimed at a phase: when it was sent, where it landed, what it left."""

    store: Path
    aimed: str
    delay: float  # seconds after the aimed phase began
    landed: str
    state: str  # store_state() right after the kill
    outcome: str = ""  # what the store held once reopened, as the test judges it

    def __str__(self) -> str:
        return (
            f"aimed at {self.aimed} +{self.delay:.2f}s, landed in {self.landed} "
            f"({self.state}) -> {self.outcome}"
        )


def kill_in(store: Path, files: Sequence[Path | str], phase: str, delay: float) -> Kill:
    """Start a load, wait for ``phase`` to begin, wait ``delay`` seconds more, SIGKILL."""
    load = PhasedLoad(store, files)
    if not load.wait_for(phase):
        load.finish()
        return Kill(store, phase, delay, "exited", store_state(store))
    time.sleep(delay)
    landed = load.kill()
    return Kill(store, phase, delay, landed, store_state(store))


def aimed_kill(
    fresh_store: Callable[[], Path],
    files: Sequence[Path | str],
    phase: str,
    fraction: float,
    reference: dict[str, float],
    attempts: int = 4,
) -> list[Kill]:
    """Kill a load at ``fraction`` of ``phase`` as long as the reference load took it; if
    the kill lands past the phase (this run was faster), try again on a fresh store with
    half the delay. Returns every attempt, the last one landed in ``phase`` if any did."""
    tried: list[Kill] = []
    delay = fraction * reference[phase]
    for _ in range(attempts):
        kill = kill_in(fresh_store(), files, phase, delay)
        tried.append(kill)
        if kill.landed == phase:
            break
        delay /= 2
    return tried


def aims(phases: Sequence[str], seed: int) -> list[tuple[str, float]]:
    """(phase, fraction of it) for each kill, the fractions seeded."""
    rng = random.Random(seed)
    return [(phase, rng.uniform(0.05, 0.9)) for phase in phases]
