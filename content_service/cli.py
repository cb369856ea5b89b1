"""`content-service`: serve, migrate, create-user, load-demo."""

from __future__ import annotations

import getpass

import typer
import uvicorn
from sqlmodel import Session, select

from content_service import cli_notebooks
from content_service.db import make_engine
from content_service.demo import DEMO_PASSWORD, load_demo, load_feature_demos
from content_service.migrations_runner import upgrade_to_head
from content_service.models.people import Role, SchoolRecord, UserRecord
from content_service.security import hash_password
from content_service.settings import get_settings

app = typer.Typer(
    help="Content and assessment service for Ho Chi Minh City schools.", no_args_is_help=True
)
app.add_typer(cli_notebooks.app, name="notebook")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the web service (uvicorn with uvloop and httptools)."""
    uvicorn.run(
        "content_service.main:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
    )


@app.command()
def migrate() -> None:
    """Apply database migrations up to the newest."""
    upgrade_to_head(get_settings())
    typer.echo("database is at the newest migration")


@app.command("create-user")
def create_user(
    username: str,
    full_name: str,
    role: Role,
    school_code: str = typer.Option("", help="the school's code; empty only for system_admin"),
    password: str = typer.Option("", help="prompted for when empty"),
) -> None:
    """Create an account (for the first system admin, or scripted set-ups)."""
    settings = get_settings()
    engine = make_engine(settings)
    secret = password or getpass.getpass("Password: ")
    if len(secret) < 8:
        raise typer.BadParameter(
            "the password needs at least 8 characters", param_hint="--password"
        )
    with Session(engine) as session:
        school_id = None
        if role is not Role.SYSTEM_ADMIN:
            school = session.exec(
                select(SchoolRecord).where(SchoolRecord.code == school_code)
            ).first()
            if school is None:
                raise typer.BadParameter(
                    f"no school with code {school_code!r}", param_hint="--school-code"
                )
            school_id = school.id
        if session.exec(select(UserRecord).where(UserRecord.username == username.lower())).first():
            raise typer.BadParameter(f"user {username!r} already exists", param_hint="USERNAME")
        session.add(
            UserRecord(
                username=username.lower(),
                full_name=full_name,
                role=role,
                school_id=school_id,
                password_hash=hash_password(secret),
            )
        )
        session.commit()
    typer.echo(f"created {role.value} {username}")


@app.command()
def worker(
    until_empty: bool = typer.Option(False, help="run what is queued now, then stop"),
    poll_seconds: float = typer.Option(1.0, help="how often an idle worker looks for work"),
) -> None:
    """Run background jobs (calibrations, autograding, search indexing) from the database queue."""
    from content_service.jobs import Worker, run_until_empty
    from content_service.tasks import load_all

    settings = get_settings()
    if until_empty:
        typer.echo(f"ran {run_until_empty(settings)} jobs")
        return
    modules = load_all()
    typer.echo(f"worker handling jobs of: {', '.join(modules) or 'nothing yet'}")
    runner = Worker(settings)
    try:
        runner.run_forever(poll_seconds=poll_seconds)
    finally:
        runner.close()


@app.command("load-demo")
def load_demo_command() -> None:
    """Load the Vietnamese demo content if the database is empty."""
    settings = get_settings()
    upgrade_to_head(settings)
    engine = make_engine(settings)
    logins = load_demo(engine)
    if not logins:
        typer.echo("database already has content: demo not loaded")
        return
    loaded = load_feature_demos(engine, settings)
    summary = (f"{name} {n if isinstance(n, int) else 'loaded'}" for name, n in loaded.items())
    typer.echo("demo content: " + ", ".join(summary))
    typer.echo(f"demo loaded; every demo account's password is {DEMO_PASSWORD}")
    for login in logins:
        typer.echo(f"  {login.username:<16} {login.role:<13} {login.full_name}")


def main() -> None:
    app()
