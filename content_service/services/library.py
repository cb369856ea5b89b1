"""The school library: catalogue, copies, circulation, holds queue and overdues.

Decisions come from the pure :mod:`content_service.library.rules`; this module loads the facts,
applies the decision and writes the audit log. Digital files, MARC exchange, inter-library
loans, statistics and the OAI-PMH record store follow the circulation part.

A copy is lent once: checkout claims the copy with a conditional ``UPDATE … WHERE status = the
status we saw`` as its first write (PostgreSQL locks the row and re-checks the condition; SQLite
serialises writers), and the unique partial index on open loans backs it up.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path, PurePath

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableError,
)
from content_service.library.rules import (
    CheckoutFacts,
    CirculationRefusal,
    CopyStatus,
    HoldStatus,
    IllAction,
    IllSide,
    IllStatus,
    ItemType,
    PatronCategory,
    QueuedHold,
    decide_checkout,
    decide_renewal,
    fine,
    ill_transition,
    loan_rule,
    next_in_queue,
    patron_category,
    queue_position,
)
from content_service.library.statistics import circulation_csv
from content_service.models.base import as_utc, utcnow
from content_service.models.library import (
    LibraryCopyRecord,
    LibraryDigitalFileRecord,
    LibraryHoldRecord,
    LibraryIllRequestRecord,
    LibraryLoanRecord,
    LibraryTitleRecord,
)
from content_service.models.people import Role, UserRecord
from content_service.schemas.common import PageParams
from content_service.schemas.library import CopyCreate, TitleCreate
from content_service.services.access import Principal, require_role, require_school
from content_service.services.audit import record_audit
from content_service.services.people import paginate
from content_service.services.search.outbox import enqueue_library_index
from learning_resources.marc import (
    CatalogueRecord,
    Holding,
    MarcError,
    read_iso2709,
    read_marcxml,
    write_iso2709,
    write_marcxml,
)
from learning_resources.vietnamese import fold_for_search

LIBRARY_STAFF = (Role.LIBRARIAN, Role.SCHOOL_ADMIN)


def require_library_staff(principal: Principal, school_id: uuid.UUID | None) -> None:
    """Librarians and school admins of the school (a system admin everywhere)."""
    require_role(principal, *LIBRARY_STAFF)
    require_school(principal, school_id)


def _refused(refusal: CirculationRefusal) -> ConflictError:
    return ConflictError(refusal.message, code=refusal.code)


def search_text(*parts: str | list[str]) -> str:
    """The folded text the SQL catalogue search matches against."""
    flat = [p for part in parts for p in ([part] if isinstance(part, str) else part)]
    return fold_for_search(" ".join(flat))


# -- catalogue ---------------------------------------------------------------------------------


async def _flush(session: AsyncSession, what: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"{what} already exists", code="already_exists") from exc


async def create_title(
    *, session: AsyncSession, principal: Principal, data: TitleCreate
) -> LibraryTitleRecord:
    """Catalogue a title in the caller's school, with its copies."""
    require_library_staff(principal, principal.school_id)
    if principal.school_id is None:
        raise BadRequestError("a system admin has no library; log in as the school's librarian")
    fields = data.model_dump(exclude={"copies"})
    title = LibraryTitleRecord(school_id=principal.school_id, **fields)
    title.search_text = search_text(
        data.title, data.subtitle, data.authors, data.subjects, data.isbn
    )
    session.add(title)
    await session.flush()
    for copy in data.copies:
        session.add(_copy_record(title, copy))
    await _flush(session, "a copy with one of these barcodes")
    record_audit(
        session=session,
        actor=principal,
        action="library.title.create",
        entity="library_title",
        entity_id=title.id,
        details={"copies": len(data.copies)},
    )
    enqueue_library_index(session, title.id, principal=principal)
    return title


def _copy_record(title: LibraryTitleRecord, data: CopyCreate) -> LibraryCopyRecord:
    return LibraryCopyRecord(
        title_id=title.id,
        school_id=title.school_id,
        barcode=data.barcode,
        location=data.location,
        item_type=data.item_type.value,
    )


async def get_title(
    *, session: AsyncSession, principal: Principal, title_id: uuid.UUID
) -> LibraryTitleRecord:
    """A title of the caller's school (any member), or of any school for a system admin."""
    title = await session.get(LibraryTitleRecord, title_id)
    if title is None or title.deleted:
        raise NotFoundError(f"title {title_id} not found", code="title_not_found")
    require_school(principal, title.school_id)
    return title


async def title_details(
    *, session: AsyncSession, title: LibraryTitleRecord
) -> tuple[list[LibraryCopyRecord], list[LibraryDigitalFileRecord], int]:
    """A title's copies, digital files and number of waiting holds."""
    copies = await session.exec(
        select(LibraryCopyRecord)
        .where(LibraryCopyRecord.title_id == title.id)
        .order_by(col(LibraryCopyRecord.barcode))
    )
    files = await session.exec(
        select(LibraryDigitalFileRecord).where(LibraryDigitalFileRecord.title_id == title.id)
    )
    waiting = await session.exec(
        select(func.count())
        .select_from(LibraryHoldRecord)
        .where(LibraryHoldRecord.title_id == title.id, col(LibraryHoldRecord.status) == "waiting")
    )
    return list(copies.all()), list(files.all()), int(waiting.one())


async def list_titles(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    q: str = "",
    school_id: uuid.UUID | None = None,
) -> tuple[list[LibraryTitleRecord], int]:
    """Search the school's catalogue (accent-insensitive: ``toan`` finds ``Toán``)."""
    school = school_id if school_id is not None else principal.school_id
    require_school(principal, school)
    query = select(LibraryTitleRecord).where(
        LibraryTitleRecord.school_id == school, col(LibraryTitleRecord.deleted).is_(False)
    )
    for word in fold_for_search(q).split():
        query = query.where(col(LibraryTitleRecord.search_text).contains(word, autoescape=True))
    return await paginate(session, query.order_by(col(LibraryTitleRecord.title)), page)


async def add_copy(
    *, session: AsyncSession, principal: Principal, title_id: uuid.UUID, data: CopyCreate
) -> LibraryCopyRecord:
    title = await get_title(session=session, principal=principal, title_id=title_id)
    require_library_staff(principal, title.school_id)
    copy = _copy_record(title, data)
    session.add(copy)
    await _flush(session, f"a copy with barcode {data.barcode!r}")
    title.updated_at = utcnow()
    session.add(title)
    record_audit(
        session=session,
        actor=principal,
        action="library.copy.create",
        entity="library_copy",
        entity_id=copy.id,
        school_id=title.school_id,
        details={"barcode": data.barcode},
    )
    enqueue_library_index(session, title.id, principal=principal)
    return copy


async def copy_by_barcode(session: AsyncSession, barcode: str) -> LibraryCopyRecord:
    copies = await session.exec(
        select(LibraryCopyRecord).where(LibraryCopyRecord.barcode == barcode)
    )
    copy = copies.first()
    if copy is None:
        raise NotFoundError(f"barcode: no copy has barcode {barcode!r}", code="copy_not_found")
    return copy


# -- circulation -------------------------------------------------------------------------------


async def _patron(
    session: AsyncSession, patron_id: uuid.UUID, school_id: uuid.UUID
) -> tuple[UserRecord, PatronCategory]:
    patron = await session.get(UserRecord, patron_id)
    if patron is None or patron.school_id != school_id or not patron.is_active:
        raise BadRequestError(
            "patron_id: no active member of this school has that id", code="patron_not_found"
        )
    try:
        return patron, patron_category(str(patron.role))
    except CirculationRefusal as refusal:
        raise BadRequestError(f"patron_id: {refusal.message}", code=refusal.code) from None


async def _loan_counts(
    session: AsyncSession, patron_id: uuid.UUID, now: datetime
) -> tuple[int, int]:
    open_loans = await session.exec(
        select(LibraryLoanRecord.due_at).where(
            LibraryLoanRecord.patron_id == patron_id, col(LibraryLoanRecord.returned_at).is_(None)
        )
    )
    dues = list(open_loans.all())
    return len(dues), sum(1 for due in dues if as_utc(due) < now)


async def checkout(
    *,
    session: AsyncSession,
    principal: Principal,
    barcode: str,
    patron_id: uuid.UUID,
    now: datetime | None = None,
) -> LibraryLoanRecord:
    """Lend a copy to a patron at the desk.

    Raises
    ------
    ConflictError
        When the rules refuse (copy on loan, limit reached, overdue loans, reference item, held
        for someone else) or another desk lent the same copy a moment earlier.
    """
    now = now or utcnow()
    copy = await copy_by_barcode(session, barcode)
    require_library_staff(principal, copy.school_id)
    patron, category = await _patron(session, patron_id, copy.school_id)
    hold = None
    if copy.status == CopyStatus.ON_HOLD_SHELF:
        holds = await session.exec(
            select(LibraryHoldRecord).where(
                LibraryHoldRecord.copy_id == copy.id,
                col(LibraryHoldRecord.status) == HoldStatus.READY,
            )
        )
        hold = holds.first()
    active, overdue = await _loan_counts(session, patron.id, now)
    facts = CheckoutFacts(
        patron_id=str(patron.id),
        category=category,
        item_type=copy.item_type,
        copy_status=CopyStatus(copy.status),
        held_for=str(hold.patron_id) if hold else None,
        active_loans=active,
        overdue_loans=overdue,
    )
    try:
        due = decide_checkout(facts, now=now)
    except CirculationRefusal as refusal:
        raise _refused(refusal) from None
    await _claim_copy(session, copy, seen=copy.status)
    loan = LibraryLoanRecord(
        copy_id=copy.id,
        patron_id=patron.id,
        school_id=copy.school_id,
        patron_category=category.value,
        item_type=copy.item_type,
        checked_out_at=now,
        due_at=due,
    )
    session.add(loan)
    if hold is not None:
        hold.status = HoldStatus.FULFILLED
        session.add(hold)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"copy {barcode} is already on loan", code="copy_unavailable") from exc
    record_audit(
        session=session,
        actor=principal,
        action="library.checkout",
        entity="library_loan",
        entity_id=loan.id,
        school_id=copy.school_id,
        details={"barcode": barcode, "patron_id": str(patron.id)},
    )
    return loan


async def _claim_copy(session: AsyncSession, copy: LibraryCopyRecord, *, seen: str) -> None:
    # The first write of the transaction: only one of two desks scanning the same copy can
    # move it from the status both of them saw.
    claimed = await session.exec(
        update(LibraryCopyRecord)
        .where(col(LibraryCopyRecord.id) == copy.id, col(LibraryCopyRecord.status) == seen)
        .values(status=CopyStatus.ON_LOAN.value)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ConflictError(
            f"copy {copy.barcode} was lent a moment ago by another desk", code="copy_unavailable"
        )
    await session.refresh(copy)


async def _open_loan(session: AsyncSession, copy: LibraryCopyRecord) -> LibraryLoanRecord:
    loans = await session.exec(
        select(LibraryLoanRecord).where(
            LibraryLoanRecord.copy_id == copy.id, col(LibraryLoanRecord.returned_at).is_(None)
        )
    )
    loan = loans.first()
    if loan is None:
        raise ConflictError(f"copy {copy.barcode} is not on loan", code="not_on_loan")
    return loan


async def checkin(
    *, session: AsyncSession, principal: Principal, barcode: str, now: datetime | None = None
) -> tuple[LibraryLoanRecord, int, LibraryHoldRecord | None]:
    """Take a copy back; the first waiting hold on the title gets it on the hold shelf.

    Returns
    -------
    tuple
        The closed loan, the fine owed (0 by default) and the hold now served, if any.
    """
    now = now or utcnow()
    copy = await copy_by_barcode(session, barcode)
    require_library_staff(principal, copy.school_id)
    loan = await _open_loan(session, copy)
    loan.returned_at = now
    owed = fine(
        loan_rule(PatronCategory(loan.patron_category), loan.item_type), as_utc(loan.due_at), now
    )
    waiting = await _waiting_holds(session, copy.title_id)
    served = next_in_queue([_queued(h) for h in waiting])
    hold = None
    if served is None:
        copy.status = CopyStatus.AVAILABLE
    else:
        hold = next(h for h in waiting if str(h.id) == served.hold_id)
        rule = loan_rule(PatronCategory(loan.patron_category), copy.item_type)
        hold.status, hold.copy_id = HoldStatus.READY, copy.id
        hold.ready_until = now + timedelta(days=rule.hold_shelf_days)
        copy.status = CopyStatus.ON_HOLD_SHELF
        session.add(hold)
    session.add_all([loan, copy])
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="library.checkin",
        entity="library_loan",
        entity_id=loan.id,
        school_id=copy.school_id,
        details={"barcode": barcode, "fine": owed, "hold_id": str(hold.id) if hold else None},
    )
    return loan, owed, hold


def _queued(hold: LibraryHoldRecord) -> QueuedHold:
    return QueuedHold(str(hold.id), str(hold.patron_id), as_utc(hold.placed_at))


async def _waiting_holds(session: AsyncSession, title_id: uuid.UUID) -> list[LibraryHoldRecord]:
    rows = await session.exec(
        select(LibraryHoldRecord)
        .where(LibraryHoldRecord.title_id == title_id, col(LibraryHoldRecord.status) == "waiting")
        .order_by(col(LibraryHoldRecord.placed_at), col(LibraryHoldRecord.id))
    )
    return list(rows.all())


async def renew(
    *, session: AsyncSession, principal: Principal, loan_id: uuid.UUID, now: datetime | None = None
) -> LibraryLoanRecord:
    """Renew a loan (the borrower themself, or library staff), within the rule's limit."""
    now = now or utcnow()
    loan = await session.get(LibraryLoanRecord, loan_id)
    if loan is None or loan.returned_at is not None:
        raise NotFoundError(f"no open loan {loan_id}", code="loan_not_found")
    if loan.patron_id != principal.user_id:
        require_library_staff(principal, loan.school_id)
    copy = await session.get(LibraryCopyRecord, loan.copy_id)
    assert copy is not None  # foreign key
    waiting = await _waiting_holds(session, copy.title_id)
    try:
        loan.due_at = decide_renewal(
            category=PatronCategory(loan.patron_category),
            item_type=loan.item_type,
            renewals=loan.renewals,
            waiting_holds=len(waiting),
            now=now,
        )
    except CirculationRefusal as refusal:
        raise _refused(refusal) from None
    loan.renewals += 1
    session.add(loan)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="library.renew",
        entity="library_loan",
        entity_id=loan.id,
        school_id=loan.school_id,
        details={"renewals": loan.renewals},
    )
    return loan


async def list_loans(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    patron_id: uuid.UUID | None = None,
    overdue: bool = False,
    open_only: bool = True,
    now: datetime | None = None,
) -> tuple[list[LibraryLoanRecord], int]:
    """Loans of the school (staff) or the caller's own; ``overdue`` lists loans past due."""
    now = now or utcnow()
    query = select(LibraryLoanRecord)
    if patron_id is None or patron_id != principal.user_id:
        if principal.role is Role.PARENT and patron_id in principal.children:
            pass  # parents see their children's loans
        else:
            require_library_staff(principal, principal.school_id)
            query = query.where(LibraryLoanRecord.school_id == principal.school_id)
    if patron_id is not None:
        query = query.where(LibraryLoanRecord.patron_id == patron_id)
    if open_only or overdue:
        query = query.where(col(LibraryLoanRecord.returned_at).is_(None))
    if overdue:
        query = query.where(col(LibraryLoanRecord.due_at) < now)
    return await paginate(session, query.order_by(col(LibraryLoanRecord.due_at)), page)


# -- holds -------------------------------------------------------------------------------------


async def place_hold(
    *,
    session: AsyncSession,
    principal: Principal,
    title_id: uuid.UUID,
    patron_id: uuid.UUID | None,
    now: datetime | None = None,
) -> LibraryHoldRecord:
    """Join the title's holds queue (a patron for themself, or staff for a patron)."""
    now = now or utcnow()
    title = await get_title(session=session, principal=principal, title_id=title_id)
    patron_id = patron_id or principal.user_id
    if patron_id != principal.user_id:
        require_library_staff(principal, title.school_id)
    patron, _category = await _patron(session, patron_id, title.school_id)
    available = await session.exec(
        select(func.count())
        .select_from(LibraryCopyRecord)
        .where(LibraryCopyRecord.title_id == title.id, col(LibraryCopyRecord.status) == "available")
    )
    if int(available.one()):
        raise ConflictError(
            "a copy of this title is on the shelf: borrow it instead", code="copy_available"
        )
    mine = await session.exec(
        select(LibraryHoldRecord).where(
            LibraryHoldRecord.title_id == title.id,
            LibraryHoldRecord.patron_id == patron.id,
            or_(
                col(LibraryHoldRecord.status) == "waiting", col(LibraryHoldRecord.status) == "ready"
            ),
        )
    )
    if mine.first() is not None:
        raise ConflictError("this patron already holds this title", code="already_held")
    hold = LibraryHoldRecord(
        title_id=title.id, patron_id=patron.id, school_id=title.school_id, placed_at=now
    )
    session.add(hold)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="library.hold.place",
        entity="library_hold",
        entity_id=hold.id,
        school_id=title.school_id,
    )
    return hold


async def hold_position(session: AsyncSession, hold: LibraryHoldRecord) -> int | None:
    if hold.status != HoldStatus.WAITING:
        return None
    waiting = await _waiting_holds(session, hold.title_id)
    queue = [_queued(h) for h in waiting]
    return queue_position(queue, str(hold.id))


async def cancel_hold(
    *, session: AsyncSession, principal: Principal, hold_id: uuid.UUID, now: datetime | None = None
) -> LibraryHoldRecord:
    """Leave the queue; a copy kept on the shelf passes to the next in line."""
    now = now or utcnow()
    hold = await session.get(LibraryHoldRecord, hold_id)
    if hold is None:
        raise NotFoundError(f"hold {hold_id} not found", code="hold_not_found")
    if hold.patron_id != principal.user_id:
        require_library_staff(principal, hold.school_id)
    if hold.status not in (HoldStatus.WAITING, HoldStatus.READY):
        raise ConflictError(f"the hold is already {hold.status}", code="hold_closed")
    copy_id, hold.status = hold.copy_id, HoldStatus.CANCELLED
    session.add(hold)
    await session.flush()
    if copy_id is not None:
        copy = await session.get(LibraryCopyRecord, copy_id)
        assert copy is not None
        await _pass_on(session, copy, now)
    record_audit(
        session=session,
        actor=principal,
        action="library.hold.cancel",
        entity="library_hold",
        entity_id=hold.id,
        school_id=hold.school_id,
    )
    return hold


async def _pass_on(session: AsyncSession, copy: LibraryCopyRecord, now: datetime) -> None:
    waiting = await _waiting_holds(session, copy.title_id)
    if not waiting:
        copy.status = CopyStatus.AVAILABLE
    else:
        nxt = waiting[0]
        nxt.status, nxt.copy_id = HoldStatus.READY, copy.id
        nxt.ready_until = now + timedelta(days=3)
        session.add(nxt)
    session.add(copy)
    await session.flush()


async def list_holds(
    *, session: AsyncSession, principal: Principal, title_id: uuid.UUID, page: PageParams
) -> tuple[list[LibraryHoldRecord], int]:
    """A title's open holds in queue order (library staff)."""
    title = await get_title(session=session, principal=principal, title_id=title_id)
    require_library_staff(principal, title.school_id)
    query = (
        select(LibraryHoldRecord)
        .where(
            LibraryHoldRecord.title_id == title.id,
            or_(
                col(LibraryHoldRecord.status) == "waiting", col(LibraryHoldRecord.status) == "ready"
            ),
        )
        .order_by(col(LibraryHoldRecord.placed_at), col(LibraryHoldRecord.id))
    )
    return await paginate(session, query, page)


def require_member(principal: Principal, school_id: uuid.UUID) -> None:
    """Members of the school (any role) and system admins."""
    if not (principal.is_system_admin or principal.school_id == school_id):
        raise PermissionDeniedError(
            "only members of the owning school may open this item", code="other_school"
        )


# -- digital items -----------------------------------------------------------------------------

# What the in-browser reader can open inline; other types are offered as downloads.
INLINE_MEDIA_TYPES = frozenset({"application/pdf", "video/mp4", "audio/mpeg", "image/png"})
ACCEPTED_MEDIA_TYPES = INLINE_MEDIA_TYPES | {"application/epub+zip"}
_MAGIC = {
    "application/pdf": b"%PDF-",
    "application/epub+zip": b"PK\x03\x04",
    "image/png": b"\x89PNG",
}


async def add_digital_file(
    *,
    session: AsyncSession,
    principal: Principal,
    title_id: uuid.UUID,
    filename: str,
    media_type: str,
    content: bytes,
    storage_dir: Path,
) -> LibraryDigitalFileRecord:
    """Attach a PDF, e-book or video to a title; stored by content hash under ``storage_dir``."""
    title = await get_title(session=session, principal=principal, title_id=title_id)
    require_library_staff(principal, title.school_id)
    if media_type not in ACCEPTED_MEDIA_TYPES:
        accepted = ", ".join(sorted(ACCEPTED_MEDIA_TYPES))
        raise UnprocessableError(
            f"file: media type {media_type!r} is not accepted ({accepted})", code="bad_media_type"
        )
    magic = _MAGIC.get(media_type)
    if not content or (magic is not None and not content.startswith(magic)):
        raise UnprocessableError(
            f"file: {filename!r} is not a {media_type} file", code="bad_file_content"
        )
    digest = hashlib.sha256(content).hexdigest()
    storage_dir.mkdir(parents=True, exist_ok=True)
    (storage_dir / digest).write_bytes(content)
    record = LibraryDigitalFileRecord(
        title_id=title.id,
        school_id=title.school_id,
        filename=PurePath(filename).name[:255] or "file",
        media_type=media_type,
        size=len(content),
        sha256=digest,
    )
    session.add(record)
    title.updated_at = utcnow()
    session.add(title)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="library.digital.add",
        entity="library_digital_file",
        entity_id=record.id,
        school_id=title.school_id,
        details={"filename": record.filename, "sha256": digest},
    )
    enqueue_library_index(session, title.id, principal=principal)
    return record


async def open_digital_file(
    *, session: AsyncSession, principal: Principal, file_id: uuid.UUID, storage_dir: Path
) -> tuple[LibraryDigitalFileRecord, Path]:
    """A digital item for an authorised reader (a member of the owning school)."""
    record = await session.get(LibraryDigitalFileRecord, file_id)
    if record is None:
        raise NotFoundError(f"digital file {file_id} not found", code="file_not_found")
    require_member(principal, record.school_id)
    path = storage_dir / record.sha256
    if not path.is_file():
        raise NotFoundError(f"the content of {record.filename!r} is missing", code="file_missing")
    return record, path


# -- MARC exchange -----------------------------------------------------------------------------


def catalogue_record(
    title: LibraryTitleRecord, copies: Sequence[LibraryCopyRecord] = ()
) -> CatalogueRecord:
    """The MARC view of a title and its copies (952 holdings)."""
    return CatalogueRecord(
        title=title.title,
        subtitle=title.subtitle,
        authors=tuple(title.authors),
        isbn=title.isbn,
        language=title.language,
        ddc=title.ddc,
        publisher=title.publisher,
        place=title.place,
        year=title.year,
        edition=title.edition,
        subjects=tuple(title.subjects),
        summary=title.summary,
        control_number=str(title.id),
        holdings=tuple(Holding(c.barcode, c.location, c.item_type) for c in copies),
    )


async def export_marc(*, session: AsyncSession, principal: Principal, marc_format: str) -> bytes:
    """The school's catalogue as ISO 2709 (``iso2709``) or MARCXML (``marcxml``)."""
    require_library_staff(principal, principal.school_id)
    titles = await session.exec(
        select(LibraryTitleRecord)
        .where(
            LibraryTitleRecord.school_id == principal.school_id,
            col(LibraryTitleRecord.deleted).is_(False),
        )
        .order_by(col(LibraryTitleRecord.title))
    )
    copies = await session.exec(
        select(LibraryCopyRecord)
        .where(LibraryCopyRecord.school_id == principal.school_id)
        .order_by(col(LibraryCopyRecord.barcode))
    )
    by_title: dict[uuid.UUID, list[LibraryCopyRecord]] = {}
    for copy in copies.all():
        by_title.setdefault(copy.title_id, []).append(copy)
    records = [catalogue_record(t, by_title.get(t.id, [])) for t in titles.all()]
    return write_marcxml(records) if marc_format == "marcxml" else write_iso2709(records)


async def import_marc(
    *, session: AsyncSession, principal: Principal, data: bytes, marc_format: str
) -> list[LibraryTitleRecord]:
    """Copy-catalogue from a MARC file; 952 $p/$c/$y become copies.

    Raises
    ------
    UnprocessableError
        Naming the record that cannot be read or whose item type is unknown.
    ConflictError
        When a barcode is already used.
    """
    require_library_staff(principal, principal.school_id)
    try:
        records = read_marcxml(data) if marc_format == "marcxml" else read_iso2709(data)
    except MarcError as error:
        raise UnprocessableError(f"file: {error}", code="bad_marc") from None
    if not records:
        raise UnprocessableError("file: no MARC records found", code="bad_marc")
    titles = []
    for number, record in enumerate(records, 1):
        copies = []
        for holding in record.holdings:
            try:
                copies.append(
                    CopyCreate(
                        barcode=holding.barcode,
                        location=holding.location[:100],
                        item_type=ItemType(holding.item_type),
                    )
                )
            except ValueError as error:
                raise UnprocessableError(
                    f"file: record {number}, 952 {holding.barcode!r}: {error}", code="bad_marc"
                ) from None
        data_in = TitleCreate.model_construct(
            title=record.title[:500],
            subtitle=record.subtitle[:500],
            authors=list(record.authors),
            isbn=record.isbn[:32],
            language=record.language,
            ddc=record.ddc[:32],
            publisher=record.publisher[:200],
            place=record.place[:100],
            year=record.year[:16],
            edition=record.edition[:100],
            subjects=list(record.subjects),
            summary=record.summary,
            copies=copies,
        )
        titles.append(await create_title(session=session, principal=principal, data=data_in))
    return titles


# -- inter-library loans -----------------------------------------------------------------------


async def request_ill(
    *, session: AsyncSession, principal: Principal, title_id: uuid.UUID, note: str
) -> LibraryIllRequestRecord:
    """The caller's library asks the school owning ``title_id`` to lend it a copy."""
    require_role(principal, *LIBRARY_STAFF)
    title = await session.get(LibraryTitleRecord, title_id)
    if title is None or title.deleted:
        raise NotFoundError(f"title {title_id} not found", code="title_not_found")
    if principal.school_id is None or title.school_id == principal.school_id:
        raise BadRequestError(
            "title_id: inter-library loans are for titles of another school", code="own_title"
        )
    now = utcnow()
    request = LibraryIllRequestRecord(
        title_id=title.id,
        lending_school_id=title.school_id,
        borrowing_school_id=principal.school_id,
        requested_by=principal.user_id,
        note=note,
        history=[{"status": IllStatus.REQUESTED.value, "at": now.isoformat(), "note": note}],
    )
    session.add(request)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="library.ill.request",
        entity="library_ill_request",
        entity_id=request.id,
    )
    return request


async def act_on_ill(
    *,
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    action: IllAction,
    barcode: str | None,
    note: str,
) -> LibraryIllRequestRecord:
    """Move an inter-library request along: request → approve → ship → receive → return →
    complete (or refuse / cancel). The lent copy is ``in_transit`` while away."""
    require_role(principal, *LIBRARY_STAFF)
    request = await session.get(LibraryIllRequestRecord, request_id)
    if request is None:
        raise NotFoundError(f"request {request_id} not found", code="ill_not_found")
    if principal.school_id == request.lending_school_id:
        side = IllSide.LENDER
    elif principal.school_id == request.borrowing_school_id:
        side = IllSide.BORROWER
    else:
        raise PermissionDeniedError("this request is between other schools", code="other_school")
    try:
        status = ill_transition(IllStatus(request.status), action, side)
    except CirculationRefusal as refusal:
        raise _refused(refusal) from None
    if action is IllAction.APPROVE:
        await _set_aside(session, request, barcode)
    elif action in (IllAction.COMPLETE, IllAction.CANCEL) and request.copy_id is not None:
        copy = await session.get(LibraryCopyRecord, request.copy_id)
        assert copy is not None
        copy.status = CopyStatus.AVAILABLE
        session.add(copy)
    now = utcnow()
    request.status, request.updated_at = status.value, now
    request.history = [
        *request.history,
        {"status": status.value, "at": now.isoformat(), "note": note},
    ]
    session.add(request)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action=f"library.ill.{action.value}",
        entity="library_ill_request",
        entity_id=request.id,
    )
    return request


async def _set_aside(
    session: AsyncSession, request: LibraryIllRequestRecord, barcode: str | None
) -> None:
    if barcode is None:
        raise BadRequestError("barcode: name the copy to lend", code="barcode_required")
    copy = await copy_by_barcode(session, barcode)
    if copy.title_id != request.title_id:
        raise BadRequestError(f"barcode: {barcode} is a copy of another title", code="wrong_copy")
    claimed = await session.exec(
        update(LibraryCopyRecord)
        .where(col(LibraryCopyRecord.id) == copy.id, col(LibraryCopyRecord.status) == "available")
        .values(status=CopyStatus.IN_TRANSIT.value)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ConflictError(f"copy {barcode} is not on the shelf", code="copy_unavailable")
    request.copy_id = copy.id


async def list_ill(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[LibraryIllRequestRecord], int]:
    """Requests the caller's library made or received."""
    require_role(principal, *LIBRARY_STAFF)
    query = select(LibraryIllRequestRecord)
    if not principal.is_system_admin:
        query = query.where(
            or_(
                col(LibraryIllRequestRecord.lending_school_id) == principal.school_id,
                col(LibraryIllRequestRecord.borrowing_school_id) == principal.school_id,
            )
        )
    return await paginate(
        session, query.order_by(col(LibraryIllRequestRecord.created_at).desc()), page
    )


# -- statistics --------------------------------------------------------------------------------


async def statistics_csv(
    *, session: AsyncSession, principal: Principal, start: datetime, end: datetime
) -> str:
    """Loans made in ``[start, end)`` by patron category and item type, plus totals: the
    circulation register TT16/2022 asks the library software to export."""
    require_library_staff(principal, principal.school_id)
    rows = await session.exec(
        select(  # type: ignore[call-overload]
            LibraryLoanRecord.patron_category,
            LibraryLoanRecord.item_type,
            func.count(),
            func.count(col(LibraryLoanRecord.returned_at)),
            func.sum(LibraryLoanRecord.renewals),
        )
        .where(
            LibraryLoanRecord.school_id == principal.school_id,
            col(LibraryLoanRecord.checked_out_at) >= start,
            col(LibraryLoanRecord.checked_out_at) < end,
        )
        .group_by(col(LibraryLoanRecord.patron_category), col(LibraryLoanRecord.item_type))
        .order_by(col(LibraryLoanRecord.patron_category), col(LibraryLoanRecord.item_type))
    )
    counts = [(c, t, int(n), int(r), int(w or 0)) for c, t, n, r, w in rows.all()]
    titles = await session.exec(
        select(func.count())
        .select_from(LibraryTitleRecord)
        .where(
            LibraryTitleRecord.school_id == principal.school_id,
            col(LibraryTitleRecord.deleted).is_(False),
        )
    )
    copies = await session.exec(
        select(func.count())
        .select_from(LibraryCopyRecord)
        .where(LibraryCopyRecord.school_id == principal.school_id)
    )
    return circulation_csv(
        counts, titles=int(titles.one()), copies=int(copies.one()), start=start, end=end
    )
