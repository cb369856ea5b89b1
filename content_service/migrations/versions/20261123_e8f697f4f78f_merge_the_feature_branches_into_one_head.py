"""merge the feature branches into one head

Revision ID: e8f697f4f78f
Revises: the eight feature branches listed in down_revision
(quizzes, calibration, assembled forms, library/admissions, records, surveys, nbgrader,
resources)
Create Date: 2026-11-23 16:09:54.271282

Compatibility: migrations run before new code starts; a column a running worker still reads is
dropped only one release after the code stopped reading it.
"""

from collections.abc import Sequence

revision: str = "e8f697f4f78f"
down_revision: str | Sequence[str] | None = (
    "1c72cb92e780",
    "346426ff402b",
    "34a148faf450",
    "475296aad6a1",
    "79d8285ca56d",
    "8cb9f36a13ef",
    "a1ee58db711e",
    "a85df88de273",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
