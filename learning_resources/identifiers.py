"""The stable identifier scheme for resources, versions and collections.

* Resource and collection identifiers are ``res-``/``col-`` plus 26 lower-case Crockford
  base32 characters of a UUID the service generates (``res-01hv4x...``). They never change when a
  title changes, use only characters that are valid in URLs, file names, OAI identifiers and
  Meilisearch primary keys (``a-z 0-9 -``), and sort like the UUID.
* A version is addressed as ``<resource id>-v<n>`` (``n`` ≥ 1).
* The OAI-PMH identifier is ``oai:<repository domain>:<resource id>`` (the OAI identifier
  scheme, ``oai-identifier.xsd``).
"""

from __future__ import annotations

import re
from uuid import UUID

from learning_resources.errors import MetadataValidationError

__all__ = [
    "collection_identifier",
    "oai_identifier",
    "parse_oai_identifier",
    "resource_identifier",
    "validate_identifier",
    "version_key",
]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_LOCAL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_DOMAIN = re.compile(r"^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)+$")


def _base32(value: UUID) -> str:
    number = value.int
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def resource_identifier(value: UUID) -> str:
    """Return the resource identifier derived from a UUID (``res-`` + 26 base32 characters)."""
    return f"res-{_base32(value)}"


def collection_identifier(value: UUID) -> str:
    """Return the collection identifier derived from a UUID (``col-`` + 26 base32 characters)."""
    return f"col-{_base32(value)}"


def validate_identifier(identifier: str, *, field: str = "identifier") -> str:
    """Check a resource/collection identifier and return it.

    Identifiers imported from elsewhere may be any short lower-case slug (``a-z 0-9 -``, at most
    64 characters, no leading/trailing hyphen); generated ones follow the ``res-``/``col-`` form.

    Raises
    ------
    MetadataValidationError
        Naming ``field`` when the identifier has other characters or length.
    """
    if not _LOCAL.match(identifier):
        raise MetadataValidationError(
            field, f"{identifier!r} must be 1-64 characters of a-z, 0-9 and inner hyphens"
        )
    return identifier


def version_key(identifier: str, version: int) -> str:
    """Return the key of one version, ``<identifier>-v<version>``."""
    if version < 1:
        raise MetadataValidationError("version", f"must be >= 1, got {version}")
    return f"{identifier}-v{version}"


def oai_identifier(repository_domain: str, identifier: str) -> str:
    """Return ``oai:<repository domain>:<identifier>`` for OAI-PMH headers."""
    if not _DOMAIN.match(repository_domain):
        raise MetadataValidationError("repository_domain", f"{repository_domain!r} is no domain")
    return f"oai:{repository_domain}:{validate_identifier(identifier)}"


def parse_oai_identifier(repository_domain: str, value: str) -> str | None:
    """Return the local identifier inside an OAI identifier, or None if it is not one of ours."""
    prefix = f"oai:{repository_domain}:"
    if not value.startswith(prefix):
        return None
    local = value[len(prefix) :]
    return local if _LOCAL.match(local) else None
