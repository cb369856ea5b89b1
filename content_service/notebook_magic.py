"""Preview items in Jupyter as a student sees them: ``%load_ext content_service.notebook_magic``.

``%%item_preview`` renders the cell body, written exactly like an item cell (a first line of JSON
metadata, then the Markdown), without the key; ``preview(item)`` does the same from Python.
"""

from __future__ import annotations

import html
import json
from typing import Any

from item_bank.formats.notebook import notebook_items
from item_bank.items import Item
from item_bank.rendering import render_item


def preview_html(item: Item) -> str:
    """The student's view of ``item`` as an HTML fragment (no key, no feedback)."""
    view = render_item(item)
    choices = "".join(f"<li>{choice}</li>" for _, choice in view.choices)
    listing = f'<ol type="A">{choices}</ol>' if choices else ""
    return f'<div class="cs-item-preview">{view.stem_html}{listing}</div>'


def preview(item: Item) -> Any:
    from IPython.display import HTML

    return HTML(preview_html(item))


def cell_preview_html(body: str) -> str:
    """Render a ``%%item_preview`` body: metadata JSON on the first line, Markdown after it."""
    first, _, markdown = body.partition("\n")
    try:
        meta = json.loads(first)
    except json.JSONDecodeError as error:
        return f"<pre>metadata (first line) is not JSON: {html.escape(str(error))}</pre>"
    cell = {"cell_type": "markdown", "metadata": {"item_bank": meta}, "source": markdown}
    items, errors = notebook_items({"cells": [cell]})
    if errors:
        return "<pre>" + html.escape("\n".join(e.message for e in errors)) + "</pre>"
    return preview_html(items[0].item)


def load_ipython_extension(ipython: Any) -> None:
    from IPython.display import HTML, display

    def item_preview(line: str, cell: str) -> None:
        display(HTML(cell_preview_html(cell)))

    ipython.register_magic_function(item_preview, magic_kind="cell", magic_name="item_preview")
