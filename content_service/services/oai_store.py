"""What the OAI-PMH record stores over the database share: datestamp bounds, order and paging.

:class:`learning_resources.oaipmh.InMemoryRecordStore` defines the semantics (lists ordered by
datestamp then identifier, ``from``/``until`` inclusive at whole seconds, a cursor into the
selection and its complete size); :class:`DatabaseRecordStore` gives the same semantics in SQL
so that the repository's store (:mod:`.oai`) and the library's (:mod:`.library_oai`) only say
which rows they expose, how a row becomes a record and how a set selects rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from content_service.models.base import as_utc
from learning_resources.oaipmh import OaiSet, RecordPage, StoredRecord

_SECOND = timedelta(seconds=1)
Query = Any
"""A sqlmodel ``Select`` (several entities) or ``SelectOfScalar`` (one): ``Session.exec`` has
one overload for each, so the shared code holds either without naming it."""
Column = Any
"""A mapped attribute (``col(Model.field)``) usable in ``where`` and ``order_by``."""


class DatabaseRecordStore:
    """Base of the :class:`~learning_resources.oaipmh.RecordStore` implementations over SQL.

    Subclasses implement :meth:`exposed` (the rows of the repository), :meth:`to_record`,
    :meth:`list_sets`, :meth:`get_record`, and :meth:`select_set` when sets can be selected
    in SQL; otherwise set membership is checked on the records (fine at a catalogue's scale).
    """

    epoch: datetime

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- what a subclass says -------------------------------------------------------------

    def exposed(self) -> Query:
        """Every row the repository discloses, deleted records included."""
        raise NotImplementedError

    def datestamp_column(self) -> Column:
        raise NotImplementedError

    def identifier_column(self) -> Column:
        raise NotImplementedError

    def to_record(self, row: Any) -> StoredRecord:
        """One row of :meth:`exposed` as the provider's record."""
        raise NotImplementedError

    def select_set(self, query: Query, set_spec: str) -> Query | None:
        """``query`` narrowed to a set in SQL, or None to filter the records in Python."""
        return None

    def list_sets(self) -> Sequence[OaiSet]:
        raise NotImplementedError

    def get_record(self, identifier: str) -> StoredRecord | None:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------

    def earliest_datestamp(self) -> datetime:
        """The oldest datestamp exposed, or :attr:`epoch` for an empty repository."""
        exposed = self.exposed().subquery()
        earliest = self.session.exec(select(func.min(exposed.c[self.datestamp_column().key]))).one()
        return as_utc(earliest) if earliest is not None else self.epoch

    def list_records(
        self,
        *,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        cursor: int,
        limit: int,
    ) -> RecordPage:
        """Records ``cursor .. cursor+limit`` of the selection, with its complete size."""
        stamp = self.datestamp_column()
        query = self.exposed()
        if from_ is not None:
            query = query.where(stamp >= from_)
        if until is not None:  # inclusive at whole seconds: 10:00:00.5 matches until=10:00:00Z
            query = query.where(stamp < until.replace(microsecond=0) + _SECOND)
        query = query.order_by(stamp, self.identifier_column())
        if set_spec is not None:
            in_sql = self.select_set(query, set_spec)
            if in_sql is None:
                selected = [
                    record
                    for record in (self.to_record(row) for row in self.session.exec(query).all())
                    if set_spec in record.set_specs
                ]
                return RecordPage(tuple(selected[cursor : cursor + limit]), len(selected))
            query = in_sql
        total = self.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = self.session.exec(query.offset(cursor).limit(limit)).all()
        return RecordPage(tuple(self.to_record(row) for row in rows), int(total))
