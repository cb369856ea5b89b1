"""The record store an OAI-PMH provider reads from, as a protocol the service implements.

The service implements :class:`RecordStore` over its database; :class:`InMemoryRecordStore` is a
complete reference implementation used in tests and by small offline tools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from learning_resources.collections_tree import Collection, collection_ancestors
from learning_resources.resources import LearningResource
from learning_resources.vocabularies import SUBJECTS

__all__ = [
    "InMemoryRecordStore",
    "OaiSet",
    "RecordPage",
    "RecordStore",
    "StoredRecord",
    "collection_sets",
    "record_set_specs",
    "standard_sets",
]


@dataclass(frozen=True, slots=True)
class OaiSet:
    """A set for ListSets: ``setSpec``, ``setName`` and an optional description."""

    spec: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One record as the provider sees it.

    Attributes
    ----------
    identifier : str
        Local identifier (the resource identifier).
    datestamp : datetime
        Last change of the record, including its deletion.
    set_specs : tuple of str
    resource : LearningResource or None
        The latest published or withdrawn version; None when a deleted record's metadata
        was purged (then no metadata format can be disseminated).
    deleted : bool
        True for withdrawn/deleted records (``<header status="deleted">``, kept persistently).
    """

    identifier: str
    datestamp: datetime
    set_specs: tuple[str, ...]
    resource: LearningResource | None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class RecordPage:
    """One page of a selective list and the size of the complete list."""

    records: tuple[StoredRecord, ...]
    complete_list_size: int


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


class RecordStore(Protocol):
    """What an OAI-PMH provider needs from storage.

    Lists are ordered by (datestamp, identifier) so that a cursor addresses a stable position.
    ``from_``/``until`` are inclusive and compare with datestamps truncated to whole seconds,
    the granularity the provider reports (a change at 10:00:00.5 matches ``until=10:00:00Z``).
    """

    def earliest_datestamp(self) -> datetime:
        """Return the datestamp of the oldest record (or of the repository's creation)."""
        ...

    def list_sets(self) -> Sequence[OaiSet]:
        """Return every set; an empty sequence means the repository has no set hierarchy."""
        ...

    def get_record(self, identifier: str) -> StoredRecord | None:
        """Return one record by local identifier, deleted ones included."""
        ...

    def list_records(
        self,
        *,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        cursor: int,
        limit: int,
    ) -> RecordPage:
        """Return records ``cursor .. cursor+limit`` of the selection, with its total size."""
        ...


def standard_sets(collections: Iterable[Collection]) -> list[OaiSet]:
    """Return the sets of the repository: every collection, subject and grade 1-12."""
    sets = collection_sets(collections)
    sets += [OaiSet(f"subject:{code}", name) for code, name in SUBJECTS.items()]
    sets += [OaiSet(f"grade:{grade}", f"Lớp {grade}") for grade in range(1, 13)]
    return sets


def collection_sets(collections: Iterable[Collection]) -> list[OaiSet]:
    """Return one ``collection:<id>`` set per collection."""
    return [OaiSet(f"collection:{c.identifier}", c.title, c.description) for c in collections]


def record_set_specs(
    resource: LearningResource, tree: Mapping[str, Collection] | None = None
) -> tuple[str, ...]:
    """Return the setSpecs a resource belongs to.

    A resource in a sub-collection also belongs to every enclosing collection's set, so that
    harvesting a course set returns the resources of all its units.
    """
    collections: list[str] = []
    for identifier in resource.collections:
        collections.append(identifier)
        if tree is not None and identifier in tree:
            collections += collection_ancestors(tree, identifier)
    specs = [f"collection:{c}" for c in dict.fromkeys(collections)]
    specs += [f"subject:{code}" for code in resource.education.subjects]
    specs += [f"grade:{grade}" for grade in sorted(resource.education.grades)]
    return tuple(specs)


class InMemoryRecordStore:
    """A :class:`RecordStore` over a list of records (tests, offline tools).

    Parameters
    ----------
    records : iterable of StoredRecord
    sets : iterable of OaiSet
    earliest : datetime
        Reported when there are no records.
    """

    def __init__(
        self, records: Iterable[StoredRecord], sets: Iterable[OaiSet], *, earliest: datetime
    ) -> None:
        self._records = sorted(records, key=lambda r: (r.datestamp, r.identifier))
        self._by_id = {record.identifier: record for record in self._records}
        self._sets = tuple(sets)
        self._earliest = earliest

    @classmethod
    def from_resources(
        cls,
        resources: Iterable[LearningResource],
        collections: Sequence[Collection] = (),
        *,
        earliest: datetime,
    ) -> InMemoryRecordStore:
        """Build a store whose records are the given (published or withdrawn) versions."""
        tree = {c.identifier: c for c in collections}
        records = [
            StoredRecord(r.identifier, r.modified, record_set_specs(r, tree), r, r.is_deleted)
            for r in resources
        ]
        return cls(records, standard_sets(collections), earliest=earliest)

    def earliest_datestamp(self) -> datetime:
        """Return the oldest datestamp, or ``earliest`` for an empty store."""
        return self._records[0].datestamp if self._records else self._earliest

    def list_sets(self) -> Sequence[OaiSet]:
        """Return the configured sets."""
        return self._sets

    def get_record(self, identifier: str) -> StoredRecord | None:
        """Return the record with that local identifier, if any."""
        return self._by_id.get(identifier)

    def list_records(
        self,
        *,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        cursor: int,
        limit: int,
    ) -> RecordPage:
        """Filter by set and inclusive datestamp bounds (whole seconds), then slice."""
        selected = [
            record
            for record in self._records
            if (set_spec is None or set_spec in record.set_specs)
            and (from_ is None or _whole_second(record.datestamp) >= from_)
            and (until is None or _whole_second(record.datestamp) <= until)
        ]
        return RecordPage(tuple(selected[cursor : cursor + limit]), len(selected))
