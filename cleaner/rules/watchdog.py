"""Stops a pattern match that runs too long, so a rule that backtracks catastrophically cannot
hang a run.

The standard library's `re` checks for signals while it matches, so a periodic SIGALRM whose
handler raises `MatchTimeout` interrupts even a match that would take years. The handler only
raises when the same match has been running for a whole tick (between `timeout / 2` and
`timeout` seconds); the cost per match is two attribute stores.

Signals work only in the main thread, and the interval timer must be free: where either is not
so, `Watchdog.active` is False and the matcher runs every pattern on `regex` with its per-call
`timeout=` instead (slower, equally safe).
"""
from __future__ import annotations

import signal
import threading


class MatchTimeout(TimeoutError):
    """A match ran longer than the timeout."""


class Watchdog:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.active = False
        self.current = 0  # number of the match running now (0: none)
        self.count = 0  # matches started so far
        self._seen = 0
        self._previous_handler = None

    def usable(self) -> bool:
        return (
            hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        )

    def __enter__(self) -> Watchdog:
        if self.usable():
            self._previous_handler = signal.signal(signal.SIGALRM, self._tick)
            tick = self.timeout / 2
            signal.setitimer(signal.ITIMER_REAL, tick, tick)
            self.active = True
        return self

    def __exit__(self, *exc) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, self._previous_handler or signal.SIG_DFL)
            self.active = False
        self.current = 0

    def _tick(self, signum, frame) -> None:
        if self.current and self.current == self._seen:
            self.current = 0
            raise MatchTimeout
        self._seen = self.current
