"""Circulation statistics as CSV (pure: rows in, text out)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

HEADER = ("hạng bạn đọc", "loại tài liệu", "lượt mượn", "đã trả", "lượt gia hạn")


def circulation_csv(
    counts: Sequence[tuple[str, str, int, int, int]],
    *,
    titles: int,
    copies: int,
    start: datetime,
    end: datetime,
) -> str:
    """CSV of loans by patron category and item type, a total row, then collection counts.

    Parameters
    ----------
    counts : sequence of (category, item_type, loans, returned, renewals)
    titles, copies : int
        Size of the collection (for the library's periodic report).
    start, end : datetime
        The period ``[start, end)``; written in the first line.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("kỳ báo cáo", start.date().isoformat(), end.date().isoformat()))
    writer.writerow(HEADER)
    for row in counts:
        writer.writerow(row)
    totals = [sum(int(row[i]) for row in counts) for i in (2, 3, 4)]
    writer.writerow(("tổng", "", *totals))
    writer.writerow(("số nhan đề", titles))
    writer.writerow(("số bản", copies))
    return out.getvalue()
