"""Sending quiz results to a gradebook column."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from content_service.schemas.common import StrictInput
from content_service.schemas.people import NfcText


class GradebookTarget(StrictInput):
    class_id: uuid.UUID
    subject: Annotated[NfcText, Field(min_length=1, max_length=64)]
    semester: Literal[1, 2]
    column: Annotated[str, Field(min_length=1, max_length=8, examples=["tx1", "gk"])]


class GradebookTransfer(BaseModel):
    quiz_id: uuid.UUID
    written: int
