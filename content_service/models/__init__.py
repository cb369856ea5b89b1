"""SQLModel tables (``…Record``) and API schemas. Importing this package registers every table."""

from content_service.models.audit import AuditRecord
from content_service.models.auth import ApiTokenRecord
from content_service.models.items import (
    ItemRecord,
    ItemReviewRecord,
    ItemVersionRecord,
    ReviewDecision,
    VersionStatus,
)
from content_service.models.jobs import JobRecord, JobStatus
from content_service.models.people import (
    ClassMembershipRecord,
    ParentLinkRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)

__all__ = [
    "ApiTokenRecord",
    "AuditRecord",
    "ClassMembershipRecord",
    "ItemRecord",
    "ItemReviewRecord",
    "ItemVersionRecord",
    "JobRecord",
    "JobStatus",
    "ParentLinkRecord",
    "ReviewDecision",
    "Role",
    "SchoolClassRecord",
    "SchoolRecord",
    "UserRecord",
    "VersionStatus",
]
