"""Server-rendered SVG bar charts: no script, readable on a phone, honest axes.

The drawing is 360 units wide so text stays legible when a phone scales it to its width; on
a desktop the page caps its width. Bars start at zero (a negative value, as NPS can be, hangs
below the zero line). Every chart carries a <title> and <desc> and sits next to a table with
the same numbers, so nothing is only in the picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 34
COLORS = ("#1d4ed8", "#93c5fd", "#047857")
_ids = count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str = COLORS[0]


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving about ``ticks`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


def _domain(values: list[float], fixed: tuple[float, float] | None) -> tuple[float, float, float]:
    if fixed is not None:
        lo, hi = fixed
        return lo, hi, nice_step(hi - lo)
    hi = max([0.0, *values])
    lo = min([0.0, *values])
    step = nice_step(hi - lo or 1)
    return math.floor(lo / step) * step, (math.ceil(hi / step) * step) or step, step


def _fmt_tick(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def bar_chart(*, title: str, desc: str, labels: Sequence[str], series: Sequence[Series],
              fmt: Callable[[float], str] = _fmt_tick,
              domain: tuple[float, float] | None = None,
              axis_labels: Sequence[str] | None = None) -> SafeString:
    """Grouped bars, one group per label. ``domain`` fixes the axis (e.g. 0–100 for a
    percentage); otherwise it runs from zero to a round number above the largest value.
    ``axis_labels`` (shorter) are drawn under the bars; ``labels`` name them in tooltips."""
    axis_labels = axis_labels or labels
    uid = next(_ids)
    values = [v for s in series for v in s.values if v is not None]
    lo, hi, step = _domain(values, domain)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (hi - value) / (hi - lo)

    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="chart-{uid}-t chart-{uid}-d" '
           f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">',
           f'<title id="chart-{uid}-t">{escape(title)}</title>',
           f'<desc id="chart-{uid}-d">{escape(desc)}</desc>']
    tick = lo
    while tick <= hi + step / 1000:
        ty = y(tick)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
                   f'stroke="{"#94a3b8" if tick == 0 else "#e2e8f0"}" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 4}" y="{ty + 3.5:.1f}" text-anchor="end" font-size="10" '
                   f'fill="#526071">{escape(_fmt_tick(tick))}</text>')
        tick += step
    n = max(len(labels), 1)
    slot = plot_w / n
    bar = min(slot * 0.8 / max(len(series), 1), 28)
    every = math.ceil(n / 7)  # at most ~7 axis labels, so they never collide on a phone
    for i, label in enumerate(labels):
        group_x = LEFT + slot * i + (slot - bar * len(series)) / 2
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            top, base = y(max(value, 0)), y(min(value, 0))
            height = max(base - top, 0.5 if value else 0)
            out.append(f'<rect x="{group_x + j * bar:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                       f'height="{height:.1f}" fill="{s.color}" rx="1.5">'
                       f'<title>{escape(f"{label} — {s.name}: {fmt(value)}")}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 14}" '
                       f'text-anchor="middle" font-size="10" fill="#334155">'
                       f'{escape(axis_labels[i])}</text>')
    if len(series) > 1:
        x = LEFT
        for s in series:
            out.append(f'<rect x="{x}" y="{HEIGHT - 11}" width="9" height="9" fill="{s.color}"'
                       f' rx="1.5"/><text x="{x + 13}" y="{HEIGHT - 3}" font-size="10" '
                       f'fill="#334155">{escape(s.name)}</text>')
            x += 18 + 6 * len(s.name)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
