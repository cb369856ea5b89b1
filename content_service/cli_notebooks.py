"""``content-service notebook push|pull|submit``: the notebook client from the command line.

The service URL and personal token come from ``--url``/``--token`` or ``CONTENT_SERVICE_URL`` and
``CONTENT_SERVICE_TOKEN``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from content_service.client import ContentClient

app = typer.Typer(help="Push a notebook's items to the bank, pull them back, submit for review.")

URL = typer.Option(
    None, envvar="CONTENT_SERVICE_URL", help="the service, e.g. http://127.0.0.1:8000"
)
TOKEN = typer.Option(None, envvar="CONTENT_SERVICE_TOKEN", help="a personal token (/me/tokens)")
OUTPUT = typer.Option(..., "--output", "-o", help="the notebook to write")
TITLE = typer.Option("", help="a title cell")


@app.command()
def push(notebook: Path, url: str | None = URL, token: str | None = TOKEN) -> None:
    """Create or update a draft for every item cell; list the cells that were refused."""
    report = ContentClient(url, token=token).push_notebook(notebook)
    for identifier in report.created:
        typer.echo(f"created  {identifier}")
    for identifier in report.updated:
        typer.echo(f"updated  {identifier}")
    for error in report.errors:
        typer.echo(f"REFUSED  {error.identifier}: {error.message}", err=True)
    if report.errors:
        raise typer.Exit(1)


@app.command()
def pull(
    identifiers: list[str],
    output: Path = OUTPUT,
    title: str = TITLE,
    url: str | None = URL,
    token: str | None = TOKEN,
) -> None:
    """Write a notebook holding the bank's current versions of the given items."""
    ContentClient(url, token=token).pull_notebook(identifiers, output, title=title)
    typer.echo(f"wrote {output}")


@app.command()
def submit(identifiers: list[str], url: str | None = URL, token: str | None = TOKEN) -> None:
    """Send the items' latest drafts to review."""
    sent = ContentClient(url, token=token).submit(identifiers)
    typer.echo(f"submitted {len(sent)} of {len(identifiers)}: {', '.join(sent)}")
