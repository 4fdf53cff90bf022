"""Bar charts drawn on the server as SVG: no script, no CDN, readable in greyscale and print.

Each bar carries its value written beside it, so the chart reads without colour; the page
gives the chart a text summary and the table it was drawn from.
"""

from dataclasses import dataclass

ROW = 28  # px per bar, label included
LABEL_WIDTH = 190
BAR_WIDTH = 360
WIDTH = LABEL_WIDTH + BAR_WIDTH + 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # as the table writes it
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int


def bar_chart(report) -> Chart:
    """Lay out one horizontal bar per row of the report, scaled to its largest value."""
    values = report.chart
    largest = max((float(value or 0) for _label, value in values), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=report.shown(report.chart_column, value),
            y=index * ROW,
            width=round(BAR_WIDTH * max(float(value or 0), 0) / largest, 1),
        )
        for index, (label, value) in enumerate(values)
    ]
    return Chart(bars=bars, width=WIDTH, height=max(len(bars), 1) * ROW, label_width=LABEL_WIDTH)
