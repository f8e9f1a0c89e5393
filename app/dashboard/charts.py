"""Server-rendered inline SVG charts (the CSP allows no inline script; SVG needs none and prints well)."""

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 640
BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 240
# Characters of a bar's label that fit left of the bar at the chart's font size; longer ones end in … (full in <title>).
LABEL_CHARS = 32
PLOT_HEIGHT = 160


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # a share 0..1 for rates, a count otherwise
    href: str = ""
    title: str = ""


def _link(href: str, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def label_fit(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _role(points: list[Point]) -> str:
    """An image, unless it holds links: then a group (an image's children are presentational, links in it are lost)."""
    return "group" if any(p.href for p in points) else "img"


def hbar_chart(points: list[Point], *, label: str, percent: bool = True) -> Markup:
    """Horizontal bars, one per point, each a link to the list behind it."""
    top = max((p.value or 0.0 for p in points), default=0.0)
    scale_max = 1.0 if percent else max(top, 1.0)
    plot = WIDTH - LABEL_WIDTH - 60
    height = len(points) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg class="chart hbar" viewBox="0 0 {WIDTH} {height}" role="{_role(points)}" aria-label="{escape(label)}" '
        f'preserveAspectRatio="xMinYMin meet">'
    ]
    for i, p in enumerate(points):
        y = GAP + i * (BAR_HEIGHT + GAP)
        value = p.value or 0.0
        w = round(plot * value / scale_max, 1) if scale_max else 0
        shown = "–" if p.value is None else (f"{value * 100:.0f} %" if percent else f"{value:,.0f}".replace(",", "."))
        bar = (
            f"<title>{escape(p.title or p.label)}: {shown}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" class="label">'
            f"{escape(label_fit(p.label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{plot}" height="{BAR_HEIGHT}" class="track"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{BAR_HEIGHT}" class="bar"/>'
            f'<text x="{LABEL_WIDTH + plot + 6}" y="{y + BAR_HEIGHT - 5}" class="value">{shown}</text>'
        )
        parts.append(f"<g>{_link(p.href, bar)}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def month_chart(rates: list[Point], planned: list[Point], held: list[Point], *, label: str) -> Markup:
    """Meetings planned (light bars) and held (dark bars) per month, with the attendance rate as a line."""
    n = max(len(rates), 1)
    left, right, bottom, top_pad = 36, 46, 28, 10
    plot_w = WIDTH - left - right
    step = plot_w / n
    top_count = max([p.value or 0 for p in planned] + [1])
    base = top_pad + PLOT_HEIGHT
    parts = [
        f'<svg class="chart months" viewBox="0 0 {WIDTH} {base + bottom}" role="{_role(rates + held)}" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMinYMin meet">'
    ]
    for pct in (0, 50, 100):
        y = base - PLOT_HEIGHT * pct / 100
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y}" y2="{y}" class="grid"/>'
            f'<text x="{WIDTH - right + 4}" y="{y + 4}" class="axis">{pct} %</text>'
        )
    parts.append(
        f'<text x="{left - 4}" y="{top_pad + 8}" text-anchor="end" class="axis">{top_count:,.0f}</text>'.replace(
            ",", "."
        )
    )
    line: list[str] = []
    dots: list[str] = []
    for i, (rate, plan, done) in enumerate(zip(rates, planned, held, strict=True)):
        x = left + i * step
        bar_w = max(step * 0.6, 1)
        ph = PLOT_HEIGHT * (plan.value or 0) / top_count
        hh = PLOT_HEIGHT * (done.value or 0) / top_count
        bx = x + step * 0.2
        bars = (
            f"<title>{escape(rate.label)}: {escape(done.title)}</title>"
            f'<rect x="{bx:.1f}" y="{base - ph:.1f}" width="{bar_w:.1f}" height="{ph:.1f}" class="planned"/>'
            f'<rect x="{bx:.1f}" y="{base - hh:.1f}" width="{bar_w:.1f}" height="{hh:.1f}" class="held"/>'
        )
        parts.append(f"<g>{_link(done.href, bars)}</g>")
        if n <= 12 or i % max(1, n // 12) == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" class="axis">'
                f"{escape(rate.label)}</text>"
            )
        if rate.value is not None:
            cx, cy = x + step / 2, base - PLOT_HEIGHT * rate.value
            line.append(f"{cx:.1f},{cy:.1f}")
            dots.append(
                _link(
                    rate.href,
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" class="dot">'
                    f"<title>{escape(rate.label)}: {escape(rate.title)}</title></circle>",
                )
            )
    if len(line) > 1:
        parts.append(f'<polyline points="{" ".join(line)}" class="rate"/>')
    parts.extend(dots)
    parts.append("</svg>")
    return Markup("".join(parts))
