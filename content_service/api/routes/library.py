"""/library: catalogue, copies, circulation desk, holds, digital items, MARC, ILL, statistics,
and the OAI-PMH endpoint of the school's catalogue (``marc21`` and ``oai_dc``)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import FileResponse, Response

from content_service.api.deps import PageDep, PrincipalDep, SessionDep, SettingsDep
from content_service.errors import PayloadTooLargeError, UnprocessableError
from content_service.models.base import as_utc, utcnow
from content_service.schemas.common import page_of
from content_service.schemas.library import (
    CheckinCreate,
    CheckinPublic,
    CheckoutCreate,
    CopyCreate,
    CopyPublic,
    DigitalFilePublic,
    HoldCreate,
    HoldPublic,
    HoldsPublic,
    IllActionInput,
    IllRequestCreate,
    IllRequestPublic,
    IllRequestsPublic,
    LoanPublic,
    LoansPublic,
    MarcImportPublic,
    TitleCreate,
    TitleDetail,
    TitlePublic,
    TitlesPublic,
)
from content_service.services import library as library_service
from content_service.services import library_oai
from content_service.services.library import INLINE_MEDIA_TYPES

router = APIRouter(prefix="/library", tags=["library"])

MarcFormat = Literal["iso2709", "marcxml"]
_MARC_MEDIA = {"iso2709": "application/marc", "marcxml": "application/marcxml+xml"}


def _read_url(file_id: uuid.UUID) -> str:
    return f"/library/digital/{file_id}/content"


@router.get("/titles", response_model=TitlesPublic)
async def read_titles(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str, Query(max_length=200, description="words, accents optional")] = "",
    school_id: uuid.UUID | None = None,
) -> TitlesPublic:
    """Search the school's catalogue (accent-insensitive)."""
    rows, total = await library_service.list_titles(
        session=session, principal=principal, page=page, q=q, school_id=school_id
    )
    return page_of(TitlePublic, rows, total, page)


@router.post("/titles", response_model=TitleDetail, status_code=status.HTTP_201_CREATED)
async def create_title(
    data: TitleCreate, principal: PrincipalDep, session: SessionDep
) -> TitleDetail:
    """Catalogue a title with its copies (librarian)."""
    title = await library_service.create_title(session=session, principal=principal, data=data)
    return await _detail(session, title)


async def _detail(session: SessionDep, title: object) -> TitleDetail:
    copies, files, waiting = await library_service.title_details(session=session, title=title)  # type: ignore[arg-type]
    base = TitlePublic.model_validate(title, from_attributes=True)
    return TitleDetail(
        **base.model_dump(),
        copies=[CopyPublic.model_validate(c, from_attributes=True) for c in copies],
        digital_files=[
            DigitalFilePublic.model_validate(f, from_attributes=True).model_copy(
                update={"read_url": _read_url(f.id)}
            )
            for f in files
        ],
        available_copies=sum(1 for c in copies if c.status == "available"),
        waiting_holds=waiting,
    )


@router.get("/titles/{title_id}", response_model=TitleDetail)
async def read_title(
    title_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> TitleDetail:
    """One title with copies, digital items and the length of its holds queue."""
    title = await library_service.get_title(session=session, principal=principal, title_id=title_id)
    return await _detail(session, title)


@router.post(
    "/titles/{title_id}/copies", response_model=CopyPublic, status_code=status.HTTP_201_CREATED
)
async def create_copy(
    title_id: uuid.UUID, data: CopyCreate, principal: PrincipalDep, session: SessionDep
) -> CopyPublic:
    """Add a copy with its barcode and location (librarian)."""
    copy = await library_service.add_copy(
        session=session, principal=principal, title_id=title_id, data=data
    )
    return CopyPublic.model_validate(copy, from_attributes=True)


@router.get("/titles/{title_id}/holds", response_model=HoldsPublic)
async def read_holds(
    title_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, page: PageDep
) -> HoldsPublic:
    """The title's holds queue, first in line first (librarian)."""
    rows, total = await library_service.list_holds(
        session=session, principal=principal, title_id=title_id, page=page
    )
    result = page_of(HoldPublic, rows, total, page)
    for position, hold in enumerate(result.items, page.offset + 1):
        hold.position = position if hold.status == "waiting" else None
    return result


@router.post("/checkouts", response_model=LoanPublic, status_code=status.HTTP_201_CREATED)
async def create_checkout(
    data: CheckoutCreate, principal: PrincipalDep, session: SessionDep
) -> LoanPublic:
    """Lend a copy (scan its barcode) to a patron (librarian)."""
    loan = await library_service.checkout(
        session=session, principal=principal, barcode=data.barcode, patron_id=data.patron_id
    )
    return LoanPublic.model_validate(loan, from_attributes=True)


@router.post("/checkins", response_model=CheckinPublic)
async def create_checkin(
    data: CheckinCreate, principal: PrincipalDep, session: SessionDep
) -> CheckinPublic:
    """Take a copy back; says which hold it now waits for (librarian)."""
    loan, owed, hold = await library_service.checkin(
        session=session, principal=principal, barcode=data.barcode
    )
    return CheckinPublic(
        loan=LoanPublic.model_validate(loan, from_attributes=True),
        fine=owed,
        hold_id=hold.id if hold else None,
    )


@router.post("/loans/{loan_id}/renewal", response_model=LoanPublic)
async def renew_loan(
    loan_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> LoanPublic:
    """Renew a loan (the borrower or the librarian), within the loan rule's limit."""
    loan = await library_service.renew(session=session, principal=principal, loan_id=loan_id)
    return LoanPublic.model_validate(loan, from_attributes=True)


@router.get("/loans", response_model=LoansPublic)
async def read_loans(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    patron_id: uuid.UUID | None = None,
    overdue: bool = False,
    include_returned: bool = False,
) -> LoansPublic:
    """Open loans of the school (librarian), of a patron, or past due (``overdue=true``)."""
    rows, total = await library_service.list_loans(
        session=session,
        principal=principal,
        page=page,
        patron_id=patron_id,
        overdue=overdue,
        open_only=not include_returned,
    )
    return page_of(LoanPublic, rows, total, page)


@router.get("/me/loans", response_model=LoansPublic)
async def read_my_loans(principal: PrincipalDep, session: SessionDep, page: PageDep) -> LoansPublic:
    """The caller's open loans."""
    rows, total = await library_service.list_loans(
        session=session, principal=principal, page=page, patron_id=principal.user_id
    )
    return page_of(LoanPublic, rows, total, page)


@router.post("/holds", response_model=HoldPublic, status_code=status.HTTP_201_CREATED)
async def create_hold(data: HoldCreate, principal: PrincipalDep, session: SessionDep) -> HoldPublic:
    """Join a title's holds queue (for yourself, or a librarian for a patron)."""
    hold = await library_service.place_hold(
        session=session, principal=principal, title_id=data.title_id, patron_id=data.patron_id
    )
    public = HoldPublic.model_validate(hold, from_attributes=True)
    public.position = await library_service.hold_position(session, hold)
    return public


@router.delete("/holds/{hold_id}", response_model=HoldPublic)
async def delete_hold(
    hold_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> HoldPublic:
    """Leave the queue; a copy kept on the shelf passes to the next patron."""
    hold = await library_service.cancel_hold(session=session, principal=principal, hold_id=hold_id)
    return HoldPublic.model_validate(hold, from_attributes=True)


@router.post(
    "/titles/{title_id}/digital",
    response_model=DigitalFilePublic,
    status_code=status.HTTP_201_CREATED,
)
async def create_digital_file(
    title_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="PDF, EPUB, MP4 or MP3")],
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> DigitalFilePublic:
    """Attach a digital item to a title (librarian)."""
    content = await file.read()
    record = await library_service.add_digital_file(
        session=session,
        principal=principal,
        title_id=title_id,
        filename=file.filename or "file",
        media_type=(file.content_type or "").split(";")[0].strip(),
        content=content,
        storage_dir=settings.DATA_DIR / "library",
    )
    public = DigitalFilePublic.model_validate(record, from_attributes=True)
    return public.model_copy(update={"read_url": _read_url(record.id)})


@router.get("/digital/{file_id}/content", response_class=FileResponse)
async def read_digital_file(
    file_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    """The digital item, inline for the in-browser reader (members of the owning school)."""
    record, path = await library_service.open_digital_file(
        session=session,
        principal=principal,
        file_id=file_id,
        storage_dir=settings.DATA_DIR / "library",
    )
    inline = record.media_type in INLINE_MEDIA_TYPES
    return FileResponse(
        path,
        media_type=record.media_type,
        filename=record.filename,
        content_disposition_type="inline" if inline else "attachment",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/marc", response_class=Response)
async def export_marc(
    principal: PrincipalDep,
    session: SessionDep,
    marc_format: Annotated[MarcFormat, Query(alias="format")] = "iso2709",
) -> Response:
    """The school's catalogue as MARC 21 (ISO 2709 or MARCXML), UTF-8 (librarian)."""
    data = await library_service.export_marc(
        session=session, principal=principal, marc_format=marc_format
    )
    extension = "mrc" if marc_format == "iso2709" else "xml"
    return Response(
        data,
        media_type=_MARC_MEDIA[marc_format],
        headers={"Content-Disposition": f'attachment; filename="catalogue.{extension}"'},
    )


@router.post("/marc", response_model=MarcImportPublic, status_code=status.HTTP_201_CREATED)
async def import_marc(
    file: Annotated[UploadFile, File(description="ISO 2709 (.mrc) or MARCXML")],
    principal: PrincipalDep,
    session: SessionDep,
    marc_format: Annotated[MarcFormat, Form(alias="format")] = "iso2709",
) -> MarcImportPublic:
    """Copy-catalogue from a MARC file; 952 $p barcode, $c location, $y item type (librarian)."""
    titles = await library_service.import_marc(
        session=session, principal=principal, data=await file.read(), marc_format=marc_format
    )
    details = [await library_service.title_details(session=session, title=t) for t in titles]
    copies = sum(len(d[0]) for d in details)
    return MarcImportPublic(titles=len(titles), copies=copies, title_ids=[t.id for t in titles])


@router.post("/ill", response_model=IllRequestPublic, status_code=status.HTTP_201_CREATED)
async def create_ill_request(
    data: IllRequestCreate, principal: PrincipalDep, session: SessionDep
) -> IllRequestPublic:
    """Ask another school's library to lend a title (librarian)."""
    record = await library_service.request_ill(
        session=session, principal=principal, title_id=data.title_id, note=data.note
    )
    return IllRequestPublic.model_validate(record, from_attributes=True)


@router.get("/ill", response_model=IllRequestsPublic)
async def read_ill_requests(
    principal: PrincipalDep, session: SessionDep, page: PageDep
) -> IllRequestsPublic:
    """Inter-library requests made or received by the caller's library."""
    rows, total = await library_service.list_ill(session=session, principal=principal, page=page)
    return page_of(IllRequestPublic, rows, total, page)


@router.post("/ill/{request_id}/actions", response_model=IllRequestPublic)
async def act_on_ill_request(
    request_id: uuid.UUID, data: IllActionInput, principal: PrincipalDep, session: SessionDep
) -> IllRequestPublic:
    """approve (with the copy's barcode), refuse, ship, receive, return, complete or cancel."""
    record = await library_service.act_on_ill(
        session=session,
        principal=principal,
        request_id=request_id,
        action=data.action,
        barcode=data.barcode,
        note=data.note,
    )
    return IllRequestPublic.model_validate(record, from_attributes=True)


@router.get("/statistics.csv", response_class=Response)
async def read_statistics(
    principal: PrincipalDep,
    session: SessionDep,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Response:
    """Loans by patron category and item type for a period (default: the last 30 days)."""
    end = as_utc(end) if end else utcnow()  # a naive time is read as UTC, so times compare
    if start is None:
        if end.year < 2:
            raise UnprocessableError("end: too early a date", code="bad_period")
        start = end - timedelta(days=30)
    start = as_utc(start)
    if start > end:
        raise UnprocessableError("start: must not be after end", code="bad_period")
    text = await library_service.statistics_csv(
        session=session, principal=principal, start=start, end=end
    )
    return Response(
        text.encode("utf-8-sig"),  # the BOM makes Excel read the Vietnamese correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="thong-ke-thu-vien.csv"'},
    )


@router.get("/oai", response_class=Response, operation_id="library_oai_get")
@router.post("/oai", response_class=Response, operation_id="library_oai_post")
async def oai_pmh(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """OAI-PMH 2.0 over every school's catalogue (``marc21``, ``oai_dc``): the union catalogue."""
    if request.method == "POST":
        if int(request.headers.get("content-length") or 0) > 64 * 1024:
            raise PayloadTooLargeError("OAI-PMH arguments are short")
        form = await request.form()
        arguments = {k: [str(v) for v in form.getlist(k)] for k in form}
    else:
        arguments = {k: request.query_params.getlist(k) for k in request.query_params}
    body = await library_oai.answer(
        session=session,
        arguments=arguments,
        base_url=str(request.url).split("?")[0],
        token_key=settings.SECRET_KEY.encode(),
        domain=settings.OAI_LIBRARY_DOMAIN,
    )
    return Response(body, media_type="text/xml; charset=utf-8")
