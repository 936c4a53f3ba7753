"""The salary chart: the guide's ranges as bars per region (matplotlib, drawn on demand)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import lexicon

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from assistant.roles import RoleFacts

CHART_REGIONS: dict[str, str] = {
    "uk": "UK", "us": "US", "global": "Global tech hubs (Berlin, Toronto, Singapore)"}
_SYMBOL = {"GBP": "£", "USD": "$", "EUR": "€"}
_ROLE_COLORS = ("#4f46e5", "#0891b2", "#059669", "#d97706", "#dc2626", "#7c3aed", "#db2777", "#65a30d",
                "#0d9488", "#ea580c")


@dataclass(frozen=True)
class SalaryBar:
    """One bar of the salary chart."""

    role: str
    label: str  # what the row says (the role, plus a track when the guide gives one)
    region: str  # uk | us | global
    currency: str
    low: int
    high: int
    open_ended: bool
    qualifier: str = ""
    track: bool = False  # a range the guide labels by track, placed by its currency


def salary_bars(roles: Mapping[str, RoleFacts], regions: Sequence[str] | None = None,
                titles: Sequence[str] | None = None) -> list[SalaryBar]:
    """The salary ranges to plot, per region. Ranges the guide labels by track rather than
    region (AI Safety) go to the region of their currency, marked as a track."""
    wanted = list(CHART_REGIONS) if regions is None else list(regions)
    bars: list[SalaryBar] = []
    for title, facts in roles.items():
        if titles is not None and title not in titles:
            continue
        for s in facts.salaries:
            key = s.region_key
            track = key is None
            region = key or lexicon.CURRENCY_REGION.get(s.currency)
            if region not in wanted:
                continue
            label = f"{title} ({s.region})" if track else title
            bars.append(SalaryBar(title, label, region, s.currency, s.low, s.high, s.open_ended,
                                  s.qualifier, track))
    return bars


def salary_chart(roles: Mapping[str, RoleFacts], regions: Sequence[str] | None = None,
                 titles: Sequence[str] | None = None) -> Figure:
    """A range chart of the guide's salaries: one panel per region (each in its own
    currency), a bar from low to high per role; open-ended ranges ("+") fade out."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    bars = salary_bars(roles, regions, titles)
    order = [r for r in CHART_REGIONS if any(b.region == r for b in bars)]
    colors = {t: _ROLE_COLORS[i % len(_ROLE_COLORS)] for i, t in enumerate(roles)}
    if not bars:
        fig = Figure(figsize=(9, 2.2), dpi=110)
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "No salary ranges to show: pick at least one role and one region.",
                ha="center", va="center", fontsize=11, color="#475569")
        return fig
    heights = [len([b for b in bars if b.region == r]) for r in order]
    fig = Figure(figsize=(9.5, 1.0 + sum(0.48 * h + 0.9 for h in heights)), dpi=110, layout="constrained")
    axes = fig.subplots(len(order), 1, squeeze=False,
                        gridspec_kw={"height_ratios": [h + 1.2 for h in heights]})
    for ax, region in zip(axes[:, 0], order, strict=True):
        _draw_region(ax, region, [b for b in bars if b.region == region], colors)
    fig.suptitle("Salary ranges by role and region (the guide's 2026 estimates)", fontsize=11.5,
                 fontweight="bold", color="#0f172a")
    notes = ["A fading bar end means the guide gives an open-ended range (“+”)."]
    if any(b.track for b in bars):
        notes.append("Hatched: a range the guide gives per track, not per region (shown by its currency).")
    fig.supxlabel("\n".join(notes), fontsize=7.5, color="#64748b", x=0.01, ha="left")
    return fig


def _draw_region(ax: Any, region: str, bars: list[SalaryBar], colors: Mapping[str, str]) -> None:
    """One region's panel: a bar from low to high per role, open-ended ranges fading out."""
    from matplotlib.ticker import FuncFormatter

    rows = sorted(bars, key=lambda b: (b.low + b.high, b.label))
    top = max(b.high for b in rows)
    reach = top * 1.22
    symbols = {_SYMBOL.get(b.currency, b.currency) for b in rows}
    for y, b in enumerate(rows):
        color = colors.get(b.role, "#4f46e5")
        ax.barh(y, b.high - b.low, left=b.low, height=0.56, color=color, alpha=0.9,
                hatch="//" if b.track else None, edgecolor="white" if b.track else color, linewidth=0)
        if b.open_ended:
            tail = (b.high - b.low) * 0.18 + top * 0.02
            for k in range(6):
                ax.barh(y, tail / 6, left=b.high + k * tail / 6, height=0.56, color=color,
                        alpha=0.55 * (1 - k / 6), linewidth=0)
        # "$" starts maths in matplotlib text: escape it.
        sym = _SYMBOL.get(b.currency, b.currency + " ").replace("$", r"\$")
        text = f"{sym}{_k(b.low)}–{sym}{_k(b.high)}{'+' if b.open_ended else ''}"
        end = b.high + ((b.high - b.low) * 0.18 + top * 0.02 if b.open_ended else 0)
        ax.text(end + top * 0.015, y, text, va="center", fontsize=8.5, color="#1e293b")
    ax.set_yticks(range(len(rows)), [_wrap(b.label, 34) for b in rows], fontsize=8.5)
    ax.set_xlim(0, reach)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    sym = (symbols.pop() if len(symbols) == 1 else "").replace("$", r"\$")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p, sym=sym: f"{sym}{_k(int(v))}"))
    ax.set_title(CHART_REGIONS[region], loc="left", fontsize=10.5, fontweight="bold", color="#0f172a")
    ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)


def _k(value: int) -> str:
    return f"{value / 1000:,.0f}k" if value >= 1000 else str(value)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
