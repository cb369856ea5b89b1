"""learning_resources."""

from learning_resources.collections_tree import Collection, build_collection_tree
from learning_resources.documents import (
    document_id,
    item_document,
    library_document,
    resource_document,
)
from learning_resources.errors import (
    IllegalTransitionError,
    ImmutableVersionError,
    LearningResourceError,
    MetadataValidationError,
    PackageError,
    UnknownLicenceError,
)
from learning_resources.licences import LICENCES, Licence, get_licence, licence_from_uri
from learning_resources.packages import build_package
from learning_resources.resources import (
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
    normalize_text_fields,
)
from learning_resources.validation import find_problems, validate_resource
from learning_resources.vietnamese import (
    fold_diacritics,
    fold_for_search,
    nfc,
    rerank_exact_tone,
    tokenize_syllables,
)
from learning_resources.workflow import (
    new_version,
    publish,
    reject,
    retract,
    revise,
    start_review,
    submit,
    withdraw,
)

__all__ = [
    "LICENCES",
    "Alignment",
    "Collection",
    "Content",
    "ContentKind",
    "DublinCore",
    "Educational",
    "IllegalTransitionError",
    "ImmutableVersionError",
    "LearningResource",
    "LearningResourceError",
    "Licence",
    "MetadataValidationError",
    "PackageError",
    "ResourceFile",
    "ResourceState",
    "StateChange",
    "UnknownLicenceError",
    "Visibility",
    "build_collection_tree",
    "build_package",
    "document_id",
    "find_problems",
    "fold_diacritics",
    "fold_for_search",
    "get_licence",
    "item_document",
    "library_document",
    "licence_from_uri",
    "new_version",
    "nfc",
    "normalize_text_fields",
    "publish",
    "reject",
    "rerank_exact_tone",
    "resource_document",
    "retract",
    "revise",
    "start_review",
    "submit",
    "tokenize_syllables",
    "validate_resource",
    "withdraw",
]
