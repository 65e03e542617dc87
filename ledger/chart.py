"""The confirmed-deposits chart: weekly bars as plain geometry for a server-drawn SVG."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# Small user units so the labels stay legible when a phone scales the chart down.
WIDTH, HEIGHT = 360, 190
TOP, BOTTOM, LEFT, RIGHT = 22, 26, 2, 2


@dataclass(frozen=True)
class Bar:
    """One week's bar, its count printed above it so the chart reads without colour."""

    week: date
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        """Horizontal centre of the bar, where its labels go."""
        return self.x + self.width / 2


@dataclass(frozen=True)
class WeeklyChart:
    """Bars for each week plus what a screen reader hears."""

    bars: list[Bar]
    width: int
    height: int
    baseline: float
    description: str


SLOTS = 12  # room for this many weeks; fewer weeks keep the same bar width, the newest on the right


def since(weeks: list[tuple[date, int]], began: date) -> list[tuple[date, int]]:
    """Only the weeks from the one the couple began in: no empty weeks from before they were a couple."""
    return [(week, count) for week, count in weeks if week + timedelta(days=6) >= began] or weeks[-1:]


def weekly_chart(weeks: list[tuple[date, int]]) -> WeeklyChart:
    """Lay out one bar per (week start, confirmed count), tallest bar filling the plot."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), SLOTS)
    start = LEFT + plot_w - slot * len(weeks)
    tallest = max((count for _, count in weeks), default=0) or 1
    bars = []
    for i, (week, count) in enumerate(weeks):
        h = plot_h * count / tallest
        bars.append(Bar(week, count, round(start + i * slot + slot * 0.15, 1), round(TOP + plot_h - h, 1),
                        round(slot * 0.7, 1), round(h, 1)))
    total = sum(count for _, count in weeks)
    if weeks:
        span = "this week" if len(weeks) == 1 else f"the {len(weeks)} weeks from {weeks[0][0]:%-d %B %Y}"
        description = (f"{total} confirmed {'deposit' if total == 1 else 'deposits'} in {span}; "
                       f"this week {weeks[-1][1]}.")
    else:
        description = "No weeks to show yet."
    return WeeklyChart(bars, WIDTH, HEIGHT, TOP + plot_h, description)
