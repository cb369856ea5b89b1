"""A small client for notebooks and scripts: push a notebook's items, pull them back, submit.

    from content_service.client import ContentClient
    bank = ContentClient("http://127.0.0.1:8000", token="...")   # a personal token (/me/tokens)
    report = bank.push_notebook("de-kiem-tra.ipynb")             # drafts; errors per cell
    report.errors                                                 # [CellError(cell_index, ...)]
    bank.pull_notebook(["toan10.ham-so.01"], "ban-sao.ipynb")
    bank.submit(report.pushed)                                    # send the drafts to review

The token may also come from ``CONTENT_SERVICE_URL`` / ``CONTENT_SERVICE_TOKEN``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from item_bank.formats.json_items import item_from_dict, item_to_dict
from item_bank.formats.notebook import CellError, items_to_notebook, notebook_items


@dataclass
class PushReport:
    """What a push did: identifiers created or updated, and the cells that were refused."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def pushed(self) -> list[str]:
        return self.created + self.updated


class ContentClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        token: str | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        token = token or os.environ.get("CONTENT_SERVICE_TOKEN", "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if http is None:
            url = base_url or os.environ.get("CONTENT_SERVICE_URL", "http://127.0.0.1:8000")
            http = httpx.Client(base_url=url, timeout=30.0)
        http.headers.update(headers)
        self.http = http

    def push_notebook(self, notebook: str | Path | dict[str, Any]) -> PushReport:
        """Create or update a draft for every item cell; a refused cell is reported, not raised."""
        data = _load(notebook)
        items, errors = notebook_items(data)
        report = PushReport(errors=list(errors))
        for cell in items:
            body = {"item": item_to_dict(cell.item)}
            existing = self.http.get(f"/items/by-identifier/{cell.item.identifier}")
            if existing.status_code == 200:
                response = self.http.put(f"/items/{existing.json()['id']}", json=body)
                target = report.updated
            else:
                response = self.http.post("/items", json=body)
                target = report.created
            if response.status_code in (200, 201):
                target.append(cell.item.identifier)
            else:
                message = _error_text(response)
                report.errors.append(
                    CellError(
                        cell.cell_index,
                        cell.item.identifier,
                        f"cell {cell.cell_index + 1}: {message}",
                    )
                )
        report.errors.sort(key=lambda e: e.cell_index)
        return report

    def pull_notebook(
        self, identifiers: Iterable[str], path: str | Path | None = None, *, title: str = ""
    ) -> dict[str, Any]:
        """A notebook of the bank's current versions of ``identifiers`` (written to ``path``)."""
        items = []
        for identifier in identifiers:
            response = self.http.get(f"/items/by-identifier/{identifier}")
            response.raise_for_status()
            items.append(item_from_dict(_item_document(response.json()), source=identifier))
        notebook = items_to_notebook(items, title=title)
        if path is not None:
            Path(path).write_text(json.dumps(notebook, ensure_ascii=False, indent=1), "utf-8")
        return notebook

    def submit(self, identifiers: Iterable[str]) -> list[str]:
        """Send each item's latest draft to review; returns the identifiers accepted."""
        sent = []
        for identifier in identifiers:
            found = self.http.get(f"/items/by-identifier/{identifier}")
            found.raise_for_status()
            response = self.http.post(f"/items/{found.json()['id']}/submit")
            if response.status_code == 200:
                sent.append(identifier)
        return sent


def _load(notebook: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(notebook, dict):
        return notebook
    loaded: dict[str, Any] = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return loaded


def _item_document(detail: dict[str, Any]) -> dict[str, Any]:
    """The item JSON of the latest version inside an ItemDetail answer."""
    content = (detail.get("latest") or {}).get("content")
    if not isinstance(content, dict):
        raise ValueError(f"no item content in the answer for {detail.get('identifier', '?')}")
    return dict(content)


def _error_text(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(detail, list):
        return "; ".join(
            ".".join(str(p) for p in entry.get("loc", [])) + ": " + str(entry.get("msg", ""))
            for entry in detail
        )
    return str(detail)
