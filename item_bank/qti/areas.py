"""Area mappings (``qti-area-mapping``) for graphic point responses."""

from __future__ import annotations

from collections.abc import Iterable

from item_bank.qti.values import Declaration

__all__ = ["inside", "map_points"]


def inside(shape: str, coords: tuple[float, ...], point: tuple[float, float]) -> bool:
    """Whether ``point`` lies in the QTI shape (rect, circle, ellipse, poly, default)."""
    x, y = point
    if shape == "default":
        return True
    if shape == "rect" and len(coords) == 4:
        left, top, right, bottom = coords
        return left <= x <= right and top <= y <= bottom
    if shape == "circle" and len(coords) == 3:
        cx, cy, r = coords
        return (x - cx) ** 2 + (y - cy) ** 2 <= r**2
    if shape == "ellipse" and len(coords) == 4:
        cx, cy, rx, ry = coords
        return rx > 0 and ry > 0 and ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
    if shape == "poly" and len(coords) >= 6:
        return _in_polygon(list(zip(coords[::2], coords[1::2], strict=False)), x, y)
    return False


def _in_polygon(vertices: list[tuple[float, float]], x: float, y: float) -> bool:
    result = False  # ray casting: count edge crossings to the right of the point
    j = len(vertices) - 1
    for i, (xi, yi) in enumerate(vertices):
        xj, yj = vertices[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result


def map_points(declaration: Declaration, points: Iterable[object]) -> float:
    """QTI ``mapResponsePoint``: each area counts once, however many points fall in it."""
    total = 0.0
    hit: set[int] = set()
    for point in points:
        assert isinstance(point, tuple)
        for index, entry in enumerate(declaration.area_mapping):
            if inside(entry.shape, entry.coords, point):  # type: ignore[arg-type]
                if index not in hit:
                    hit.add(index)
                    total += entry.value
                break
        else:
            total += declaration.area_default
    low, high = declaration.area_bounds
    if low is not None:
        total = max(total, low)
    return min(total, high) if high is not None else total
