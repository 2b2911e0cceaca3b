"""Work for a worker, as a coroutine made only when the worker awaits it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")


class Deferred(Generic[Result]):
    """An awaitable that calls `make` when awaited. Handing a worker a coroutine made at once
    left it never awaited when the worker was cancelled before it started (the next key
    replaced a completion; the app quit right after a command), and Python warned of it.
    (Textual's `run_worker` would take the coroutine function itself, but its typing cannot
    say what such a function returns.)"""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Awaitable[Result]]) -> None:
        self._make = make

    def __await__(self) -> Generator[Any, None, Result]:
        return self._make().__await__()
