"""Domain scores and their small over-time chart, as plain functions over plain values."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ScorePoint:
    day: date
    score: float  # 0..1: indicators met / indicators answered


@dataclass(frozen=True)
class DomainTrend:
    domain: str
    title: str
    points: tuple[ScorePoint, ...]

    @property
    def latest(self) -> float | None:
        return self.points[-1].score if self.points else None

    @property
    def change(self) -> float | None:
        """Change of the latest score since the first (baseline) one; None with fewer than two."""
        return self.points[-1].score - self.points[0].score if len(self.points) > 1 else None


def score_share(met: int, answered: int) -> float | None:
    return met / answered if answered else None


def sparkline_points(points: tuple[ScorePoint, ...], *, width: int = 160, height: int = 40, pad: int = 4) -> str:
    """SVG polyline coordinates: time on x (evenly by date), score 0–100 % on y."""
    if not points:
        return ""
    first, last = points[0].day.toordinal(), points[-1].day.toordinal()
    span = max(1, last - first)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    coords = []
    for p in points:
        x = pad + (inner_w * (p.day.toordinal() - first) / span if len(points) > 1 else inner_w / 2)
        y = pad + inner_h * (1 - p.score)
        coords.append(f"{x:.1f},{y:.1f}")
    return " ".join(coords)
