"""The KPI trend as a picture: people would rather look than read.

matplotlib with the Agg backend (no display). This machine has no CJK font and
none is shipped, so the chart's labels are English/ASCII; the message it comes
with carries the Chinese text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from domain.reports import KPI_NAMES, KpiCounts, Period

LABELS = {"completion": "Order completion", "on_time": "On-time processing", "resolution": "Problem resolution",
          "satisfaction": "Customer satisfaction"}


def render_trend(trend: Sequence[tuple[Period, KpiCounts]], *, title: str = "KPI trend, last 8 weeks") -> bytes:
    """A PNG: one line per KPI over the weeks, gaps where a week had no data (not 0 %)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.subplots()
    labels = [f"{p.start:%m-%d}" for p, _ in trend]
    positions = list(range(len(trend)))
    for name in KPI_NAMES:
        values = [counts.rates()[name].percent for _, counts in trend]
        axes.plot(positions, [float("nan") if v is None else v for v in values], marker="o", label=LABELS[name])
    axes.set_xticks(positions, labels)
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_xlabel("week starting")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="lower left", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
