"""Full garbage collections wait while a reply streams (issue 18.1).

A full collection (the oldest generation) walks every object the collector tracks: with a long
reply on screen that took 70-450 ms on an idle machine, 5-17 times in a 20,000-token reply, and a
key pressed meanwhile echoed that much later. While any reply streams, the oldest generation's
threshold is raised, so the automatic collections are the young generations' (they walk only
recent objects: a few ms); a full one still runs after HELD_SCALE times as many young ones as
usual, so memory stays bounded on a stream of any length. The usual thresholds come back when
the last stream is released: a reply does that shortly after its end is drawn, so the full
collection that is due then does not hold up the frame showing the end.

The collector is the process's, so the count of streams is too (one per process, like `gc`).
"""

from __future__ import annotations

import gc

HELD_SCALE = 50  # the oldest generation's threshold while a reply streams, times the usual


class FullCollections:
    def __init__(self) -> None:
        self._streams = 0
        self._usual: tuple[int, int, int] | None = None

    @property
    def held(self) -> bool:
        """Whether the raised threshold is in force."""
        return self._usual is not None

    @property
    def streams(self) -> int:
        return self._streams

    def hold(self) -> None:
        """A reply starts streaming (pair with one release())."""
        self._streams += 1
        if self._usual is None:
            self._usual = gc.get_threshold()
            young, middle, old = self._usual
            gc.set_threshold(young, middle, old * HELD_SCALE)

    def release(self) -> None:
        """A reply stopped streaming; after the last one, the usual thresholds come back."""
        self._streams -= 1
        if self._streams <= 0 and self._usual is not None:
            self._streams = 0
            gc.set_threshold(*self._usual)
            self._usual = None


# One per process: the collector it steers is the process's (not a setting, key or client).
FULL_COLLECTIONS = FullCollections()
