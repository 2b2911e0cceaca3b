"""A measured figure next to its floor (measured in the same run), and how to print them."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """`samples` of something we measured; `floor` the same measured for the least it needs.

    `check` says whether the target is met, given the figure (ratio to the floor when there
    is one, else the median).
    """

    name: str
    unit: str
    samples: Sequence[float]
    target: str
    check: Callable[[float], bool] | None  # None: no target was set for this figure
    floor: Sequence[float] = ()
    floor_name: str = ""
    check_ratio: bool = True  # False: the target is on the median itself (e.g. key echo ms)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def ratio(self) -> float | None:
        return self.median / statistics.median(self.floor) if self.floor else None

    @property
    def met(self) -> bool | None:
        if self.check is None:
            return None
        ratio = self.ratio if self.check_ratio else None
        return self.check(ratio if ratio is not None else self.median)

    @property
    def verdict(self) -> str:
        return {None: "-", True: "yes", False: "NO"}[self.met]


def spread(values: Sequence[float], digits: int = 3) -> str:
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def digits_for(unit: str) -> int:
    return 3 if unit == "s" else 1


def print_table(figures: Sequence[Figure]) -> None:
    """Plain text: figure, median (min-max), floor, ratio, target, met."""
    print(
        f"{'figure':44} {'median (min-max)':>26} {'floor (same run)':>34} {'ratio':>7}  "
        f"{'target':18} met"
    )
    for f in figures:
        d = digits_for(f.unit)
        floor = f"{f.floor_name} {spread(f.floor, d)}" if f.floor else ""
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        print(
            f"{f.name:44} {spread(f.samples, d) + ' ' + f.unit:>26} {floor:>34} {ratio:>7}  "
            f"{f.target:18} {f.verdict}"
        )


def markdown_table(figures: Sequence[Figure]) -> str:
    lines = [
        "| Figure | llxprt, median (min-max) | Floor, same run | Ratio | Target | Met |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        d = digits_for(f.unit)
        floor = f"{f.floor_name}: {spread(f.floor, d)} {f.unit}" if f.floor else "—"
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "—"
        lines.append(
            f"| {f.name} | {spread(f.samples, d)} {f.unit} | {floor} | {ratio} | {f.target} "
            f"| {f.verdict.replace('NO', '**no**')} |"
        )
    return "\n".join(lines)
