"""The shared repository's tables: resources, their immutable versions, collections, harvesting.

A resource (``res-...``) is the stable identity; each change makes a ``ResourceVersionRecord``
whose ``document`` holds the whole :class:`learning_resources.LearningResource` as JSON
(``resource_to_json`` / ``resource_from_json`` below).
Only a draft version is edited; published and withdrawn versions never change again. File bytes
live content-addressed under ``DATA_DIR/blobs`` and are named by their SHA-256 in the document.

A withdrawn resource keeps its row (``status = withdrawn``): OAI-PMH reports it as a deleted
record persistently. Harvested records from other repositories are resources too, with
``origin`` set; they appear in search (the union catalogue) but are not re-exposed over OAI-PMH.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field
from learning_resources import (
    Alignment,
    Content,
    ContentKind,
    DublinCore,
    Educational,
    LearningResource,
    ResourceFile,
    ResourceState,
    StateChange,
    Visibility,
)


class ResourceRecord(SQLModel, table=True):
    __tablename__ = "resource"

    id: uuid.UUID = id_field()
    identifier: str = Field(max_length=64, unique=True, index=True)
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    # draft (never published), published, withdrawn: what readers and harvesters see.
    status: str = Field(default="draft", sa_type=String(16), index=True)
    latest_number: int = 1
    published_number: int | None = None
    # The OAI-PMH datestamp: last publication or withdrawal.
    datestamp: datetime | None = timestamp_field(nullable=True, index=True)
    view_count: int = 0
    download_count: int = 0
    origin: str = Field(default="", max_length=500, index=True)  # harvest base URL, "" = ours
    origin_identifier: str = Field(default="", max_length=500)


class ResourceVersionRecord(SQLModel, table=True):
    __tablename__ = "resource_version"
    __table_args__ = (UniqueConstraint("resource_id", "number", name="uq_resource_version"),)

    id: uuid.UUID = id_field()
    resource_id: uuid.UUID = Field(foreign_key="resource.id", index=True)
    number: int
    state: str = Field(default="draft", sa_type=String(16), index=True)
    title: str = Field(default="", max_length=500)
    visibility: str = Field(default="public", sa_type=String(16))
    document: dict[str, Any] = Field(sa_type=JSON)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    modified_at: datetime = timestamp_field()


class ResourceCollectionRecord(SQLModel, table=True):
    __tablename__ = "resource_collection"

    id: uuid.UUID = id_field()
    identifier: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=500)
    description: str = Field(default="", sa_type=Text)
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="resource_collection.id", index=True
    )
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()


class CollectionMemberRecord(SQLModel, table=True):
    __tablename__ = "resource_collection_member"
    __table_args__ = (
        UniqueConstraint("collection_id", "resource_id", name="uq_collection_member"),
    )

    id: uuid.UUID = id_field()
    collection_id: uuid.UUID = Field(foreign_key="resource_collection.id", index=True)
    resource_id: uuid.UUID = Field(foreign_key="resource.id", index=True)
    position: int = 0


class HarvestSourceRecord(SQLModel, table=True):
    """Another OAI-PMH repository whose records we import on a schedule."""

    __tablename__ = "harvest_source"

    id: uuid.UUID = id_field()
    base_url: str = Field(max_length=500, unique=True)
    name: str = Field(max_length=200)
    set_spec: str = Field(default="", max_length=200)
    interval_minutes: int = 24 * 60  # 0: only when asked
    harvested_until: datetime | None = timestamp_field(nullable=True)
    last_status: str = Field(default="", sa_type=Text)
    record_count: int = 0
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()


# --- LearningResource <-> JSON (the version document) ------------------------------------------


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def resource_to_json(resource: LearningResource) -> dict[str, Any]:
    """The version document: every field of the domain object, JSON-safe."""
    dc, edu, content = resource.dc, resource.education, resource.content
    return {
        "identifier": resource.identifier,
        "version": resource.version,
        "dc": {
            "title": dc.title,
            "description": dc.description,
            "creators": list(dc.creators),
            "contributors": list(dc.contributors),
            "publisher": dc.publisher,
            "keywords": list(dc.keywords),
            "language": dc.language,
            "created": dc.created.isoformat() if dc.created else None,
            "source": dc.source,
            "relations": list(dc.relations),
            "coverage": dc.coverage,
            "rights_holder": dc.rights_holder,
            "alternative_title": dc.alternative_title,
        },
        "education": {
            "grades": list(edu.grades),
            "subjects": list(edu.subjects),
            "alignments": [
                {
                    "target_code": a.target_code,
                    "target_name": a.target_name,
                    "alignment_type": a.alignment_type,
                    "framework": a.framework,
                    "target_description": a.target_description,
                    "target_url": a.target_url,
                }
                for a in edu.alignments
            ],
            "resource_types": list(edu.resource_types),
            "typical_age_range": edu.typical_age_range,
            "time_required": edu.time_required,
            "educational_uses": list(edu.educational_uses),
            "interactivity_type": edu.interactivity_type,
        },
        "content": {
            "kind": str(content.kind),
            "files": [
                {"path": f.path, "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
                for f in content.files
            ],
            "url": content.url,
            "entry_point": content.entry_point,
        },
        "licence": resource.licence,
        "modified": resource.modified.isoformat(),
        "state": str(resource.state),
        "school": resource.school,
        "visibility": str(resource.visibility),
        "published_at": resource.published_at.isoformat() if resource.published_at else None,
        "history": [
            {
                "event": h.event,
                "source": str(h.source),
                "target": str(h.target),
                "at": h.at.isoformat(),
                "actor": h.actor,
                "reason": h.reason,
            }
            for h in resource.history
        ],
    }


def resource_from_json(
    data: dict[str, Any], *, collections: tuple[str, ...] = ()
) -> LearningResource:
    """Rebuild the domain object from a version document (collections come from membership)."""
    dc, edu, content = data["dc"], data["education"], data["content"]
    modified = _moment(data["modified"])
    assert modified is not None
    return LearningResource(
        identifier=data["identifier"],
        version=data["version"],
        dc=DublinCore(
            title=dc["title"],
            description=dc.get("description", ""),
            creators=tuple(dc.get("creators", ())),
            contributors=tuple(dc.get("contributors", ())),
            publisher=dc.get("publisher"),
            keywords=tuple(dc.get("keywords", ())),
            language=dc.get("language", "vi"),
            created=date.fromisoformat(dc["created"]) if dc.get("created") else None,
            source=dc.get("source"),
            relations=tuple(dc.get("relations", ())),
            coverage=dc.get("coverage"),
            rights_holder=dc.get("rights_holder"),
            alternative_title=dc.get("alternative_title"),
        ),
        education=Educational(
            grades=tuple(edu.get("grades", ())),
            subjects=tuple(edu.get("subjects", ())),
            alignments=tuple(Alignment(**a) for a in edu.get("alignments", ())),
            resource_types=tuple(edu.get("resource_types", ())),
            typical_age_range=edu.get("typical_age_range"),
            time_required=edu.get("time_required"),
            educational_uses=tuple(edu.get("educational_uses", ())),
            interactivity_type=edu.get("interactivity_type"),
        ),
        content=Content(
            kind=ContentKind(content["kind"]),
            files=tuple(ResourceFile(**f) for f in content.get("files", ())),
            url=content.get("url"),
            entry_point=content.get("entry_point"),
        ),
        licence=data["licence"],
        modified=modified,
        state=ResourceState(data["state"]),
        school=data.get("school"),
        visibility=Visibility(data.get("visibility", "public")),
        collections=collections,
        published_at=_moment(data.get("published_at")),
        history=tuple(
            StateChange(
                event=h["event"],
                source=ResourceState(h["source"]),
                target=ResourceState(h["target"]),
                at=_moment(h["at"]) or modified,
                actor=h["actor"],
                reason=h.get("reason"),
            )
            for h in data.get("history", ())
        ),
    )
