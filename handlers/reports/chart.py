"""The KPI trend as a picture: people would rather look than read.

matplotlib with the Agg backend (no display). The labels come from the message
catalogue in the readers' language when the machine has a font that can draw
them (any installed CJK font, e.g. Debian's fonts-wqy-microhei or
fonts-noto-cjk); without one they fall back to English rather than boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from functools import lru_cache

from domain.reports import KPI_NAMES, KpiCounts, Period
from domain.texts import t

_CJK_FILE_HINTS = ("wqy", "notosanscjk", "noto-cjk", "sourcehan", "droidsansfallback", "uming", "ukai")
_CJK_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans CJK TC",
                 "Source Han Sans SC", "Source Han Sans CN", "Droid Sans Fallback", "AR PL UMing CN")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font that can draw Chinese, if any."""
    # matplotlib is imported on the first chart, not at start-up: it is a large library that only
    # the weekly summary needs, so a process that never draws a chart never pays its memory.
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    known = next((family for family in _CJK_FAMILIES if family in installed), None)
    if known is not None:
        return known
    # matplotlib's font cache predates a font installed later: look at the files themselves.
    for path in font_manager.findSystemFonts():
        if any(hint in path.lower() for hint in _CJK_FILE_HINTS):
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def render_trend(trend: Sequence[tuple[Period, KpiCounts]], *, language: str = "zh-CN") -> bytes:
    """A PNG: one line per KPI over the weeks, gaps where a week had no data (not 0 %)."""
    import matplotlib  # on first use, as in cjk_font

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    font = cjk_font()
    if language != "en" and font is None:
        language = "en"  # boxes instead of characters help nobody
    figure = Figure(figsize=(8, 4.5), dpi=100)
    if font is not None:
        matplotlib.rcParams["font.sans-serif"] = [font, *matplotlib.rcParams["font.sans-serif"]]
    axes = figure.subplots()
    labels = [f"{p.start:%m-%d}" for p, _ in trend]
    positions = list(range(len(trend)))
    for name in KPI_NAMES:
        values = [counts.rates()[name].percent for _, counts in trend]
        axes.plot(positions, [float("nan") if v is None else v for v in values], marker="o",
                  label=t(language, f"chart.kpi.{name}"))
    axes.set_xticks(positions, labels)
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_xlabel(t(language, "chart.week_starting"))
    axes.set_title(t(language, "chart.title"))
    axes.grid(True, alpha=0.3)
    axes.legend(loc="lower left", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
