"""SQLModel tables (``…Record``) and API schemas. Importing this package registers every table."""

from content_service.models.audit import AuditRecord
from content_service.models.auth import ApiTokenRecord
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
    "ParentLinkRecord",
    "Role",
    "SchoolClassRecord",
    "SchoolRecord",
    "UserRecord",
]
