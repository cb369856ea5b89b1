"""SQLModel tables (``…Record``) and API schemas. Importing this package registers every table."""

from content_service.models.admissions import (
    AdmissionApplicantRecord,
    AdmissionRoundRecord,
    AdmissionSchoolRecord,
)
from content_service.models.assignments import AssignmentRecord, SubmissionRecord
from content_service.models.audit import AuditRecord
from content_service.models.auth import ApiTokenRecord
from content_service.models.calibration import (
    CalibrationRunRecord,
    ItemParameterRecord,
    ParameterSetRecord,
    ResponseDatasetRecord,
)
from content_service.models.gradebook import (
    ConductRecord,
    GradebookRecord,
    GradeEntryRecord,
    RecordEventRecord,
)
from content_service.models.items import (
    AssembledFormRecord,
    ItemRecord,
    ItemReviewRecord,
    ItemVersionRecord,
    ReviewDecision,
    VersionStatus,
)
from content_service.models.jobs import JobRecord, JobStatus
from content_service.models.library import (
    LibraryCopyRecord,
    LibraryDigitalFileRecord,
    LibraryHoldRecord,
    LibraryIllRequestRecord,
    LibraryLoanRecord,
    LibraryTitleRecord,
)
from content_service.models.people import (
    ClassMembershipRecord,
    ParentLinkRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)
from content_service.models.quizzes import (
    AdaptiveStateRecord,
    AnswerRecord,
    AttemptRecord,
    QuizAssignmentRecord,
    QuizExtensionRecord,
    QuizRecord,
)
from content_service.models.resources import (
    CollectionMemberRecord,
    HarvestSourceRecord,
    ResourceCollectionRecord,
    ResourceRecord,
    ResourceVersionRecord,
)
from content_service.models.surveys import (
    SurveyAssignmentRecord,
    SurveyParticipationRecord,
    SurveyRecord,
    SurveyResponseRecord,
    SurveyStatus,
)
from content_service.models.transcripts import TranscriptCopyRecord, TranscriptRecord

__all__ = [
    "AdaptiveStateRecord",
    "AdmissionApplicantRecord",
    "AdmissionRoundRecord",
    "AdmissionSchoolRecord",
    "AnswerRecord",
    "ApiTokenRecord",
    "AssembledFormRecord",
    "AssignmentRecord",
    "AttemptRecord",
    "AuditRecord",
    "CalibrationRunRecord",
    "ClassMembershipRecord",
    "CollectionMemberRecord",
    "ConductRecord",
    "GradeEntryRecord",
    "GradebookRecord",
    "HarvestSourceRecord",
    "ItemParameterRecord",
    "ItemRecord",
    "ItemReviewRecord",
    "ItemVersionRecord",
    "JobRecord",
    "JobStatus",
    "LibraryCopyRecord",
    "LibraryDigitalFileRecord",
    "LibraryHoldRecord",
    "LibraryIllRequestRecord",
    "LibraryLoanRecord",
    "LibraryTitleRecord",
    "ParameterSetRecord",
    "ParentLinkRecord",
    "QuizAssignmentRecord",
    "QuizExtensionRecord",
    "QuizRecord",
    "RecordEventRecord",
    "ResourceCollectionRecord",
    "ResourceRecord",
    "ResourceVersionRecord",
    "ResponseDatasetRecord",
    "ReviewDecision",
    "Role",
    "SchoolClassRecord",
    "SchoolRecord",
    "SubmissionRecord",
    "SurveyAssignmentRecord",
    "SurveyParticipationRecord",
    "SurveyRecord",
    "SurveyResponseRecord",
    "SurveyStatus",
    "TranscriptCopyRecord",
    "TranscriptRecord",
    "UserRecord",
    "VersionStatus",
]
