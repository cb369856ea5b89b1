"""The OAI-PMH 2.0 data provider: request arguments in, response XML bytes out.

The service's route only collects the GET query or POST form (both must be accepted: pyoai
POSTs by default), calls :func:`handle_request` and returns the bytes with
``Content-Type: text/xml; charset=utf-8`` and status 200, errors included (protocol §3.6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lxml import etree

from learning_resources.identifiers import parse_oai_identifier
from learning_resources.oaipmh.datestamps import GRANULARITY, format_datestamp
from learning_resources.oaipmh.errors import OaiError, OaiErrorCode
from learning_resources.oaipmh.requests import OaiRequest, parse_request
from learning_resources.oaipmh.responses import (
    METADATA_FORMATS,
    MetadataFormat,
    element,
    envelope,
    error_elements,
    header_element,
    record_element,
    resumption_token_element,
    set_element,
)
from learning_resources.oaipmh.store import RecordStore, StoredRecord
from learning_resources.oaipmh.tokens import ResumptionState, decode_token, encode_token

__all__ = ["Repository", "handle_request"]

E = OaiErrorCode
OAI_IDENTIFIER_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"


@dataclass(frozen=True, slots=True)
class Repository:
    """Static description and paging settings of the provider.

    Attributes
    ----------
    name : str
        ``repositoryName``.
    base_url : str
        The OAI-PMH endpoint URL (``baseURL``).
    admin_emails : tuple of str
        At least one ``adminEmail``.
    domain : str
        Repository identifier of the ``oai:<domain>:<id>`` scheme.
    landing_base_url : str
        Base of public resource pages, used inside metadata.
    page_size : int
        Records per list response.
    token_lifetime : timedelta
        How long a resumption token stays valid.
    """

    name: str
    base_url: str
    admin_emails: tuple[str, ...]
    domain: str
    landing_base_url: str
    page_size: int = 100
    token_lifetime: timedelta = field(default=timedelta(hours=24))


@dataclass(frozen=True, slots=True)
class _Context:
    store: RecordStore
    repository: Repository
    now: datetime
    token_key: bytes
    formats: Mapping[str, MetadataFormat]


def _local_identifier(ctx: _Context, identifier: str) -> StoredRecord:
    local = parse_oai_identifier(ctx.repository.domain, identifier)
    record = ctx.store.get_record(local) if local is not None else None
    if record is None:
        raise OaiError(E.ID_DOES_NOT_EXIST, f"{identifier!r} is not in this repository")
    return record


def _format(ctx: _Context, prefix: str | None) -> MetadataFormat:
    if prefix is None or prefix not in ctx.formats:
        raise OaiError(E.CANNOT_DISSEMINATE_FORMAT, f"metadataPrefix {prefix!r} is not supported")
    return ctx.formats[prefix]


def _identify(root: etree._Element, ctx: _Context, _request: OaiRequest) -> None:
    repo = ctx.repository
    node = element(root, "Identify")
    element(node, "repositoryName", repo.name)
    element(node, "baseURL", repo.base_url)
    element(node, "protocolVersion", "2.0")
    for email in repo.admin_emails:
        element(node, "adminEmail", email)
    element(node, "earliestDatestamp", format_datestamp(ctx.store.earliest_datestamp()))
    element(node, "deletedRecord", "persistent")
    element(node, "granularity", GRANULARITY)
    description = element(node, "description")
    scheme = etree.SubElement(
        description,
        f"{{{OAI_IDENTIFIER_NAMESPACE}}}oai-identifier",
        nsmap={None: OAI_IDENTIFIER_NAMESPACE},
    )
    scheme.set(
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation",
        f"{OAI_IDENTIFIER_NAMESPACE} {OAI_IDENTIFIER_SCHEMA}",
    )
    for name, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repo.domain),
        ("delimiter", ":"),
        ("sampleIdentifier", f"oai:{repo.domain}:res-0123456789abcdefghjkmnpqrs"),
    ):
        etree.SubElement(scheme, f"{{{OAI_IDENTIFIER_NAMESPACE}}}{name}").text = text


def _list_metadata_formats(root: etree._Element, ctx: _Context, request: OaiRequest) -> None:
    if request.identifier is not None:
        record = _local_identifier(ctx, request.identifier)
        if record.resource is None:
            raise OaiError(E.NO_METADATA_FORMATS, f"no metadata is kept for {request.identifier!r}")
    node = element(root, "ListMetadataFormats")
    for metadata_format in ctx.formats.values():
        entry = element(node, "metadataFormat")
        element(entry, "metadataPrefix", metadata_format.prefix)
        element(entry, "schema", metadata_format.schema)
        element(entry, "metadataNamespace", metadata_format.namespace)


def _get_record(root: etree._Element, ctx: _Context, request: OaiRequest) -> None:
    record = _local_identifier(ctx, request.identifier or "")
    metadata_format = _format(ctx, request.metadata_prefix)
    if record.resource is None and not record.deleted:
        raise OaiError(E.CANNOT_DISSEMINATE_FORMAT, f"no metadata for {request.identifier!r}")
    node = element(root, "GetRecord")
    repo = ctx.repository
    record_element(
        node, record, metadata_format, domain=repo.domain, landing_base_url=repo.landing_base_url
    )


def _resume(ctx: _Context, request: OaiRequest, prefix_needed: bool) -> ResumptionState:
    if request.resumption_token is not None:
        state = decode_token(request.resumption_token, key=ctx.token_key, now=ctx.now)
        if (state.metadata_prefix is None) == prefix_needed:
            raise OaiError(E.BAD_RESUMPTION_TOKEN, "the token belongs to another verb")
        return state
    # Freeze `until` at the first request so records changed during the harvest cannot shift
    # later pages; they are picked up by the next incremental harvest.
    return ResumptionState(
        metadata_prefix=request.metadata_prefix,
        set_spec=request.set_spec,
        from_=request.from_,
        until=request.until or ctx.now.replace(microsecond=0),
        cursor=0,
        expires=ctx.now,
    )


def _token(
    parent: etree._Element,
    ctx: _Context,
    state: ResumptionState,
    shown: int,
    total: int,
    resumed: bool,
) -> None:
    following = state.cursor + shown
    if following < total:
        expires = ctx.now + ctx.repository.token_lifetime
        next_state = ResumptionState(
            state.metadata_prefix, state.set_spec, state.from_, state.until, following, expires
        )
        token = encode_token(next_state, key=ctx.token_key)
        resumption_token_element(
            parent, token, complete_list_size=total, cursor=state.cursor, expires=expires
        )
    elif resumed:
        resumption_token_element(
            parent, None, complete_list_size=total, cursor=state.cursor, expires=None
        )


def _list_sets(root: etree._Element, ctx: _Context, request: OaiRequest) -> None:
    sets = ctx.store.list_sets()
    if not sets:
        raise OaiError(E.NO_SET_HIERARCHY, "this repository has no sets")
    state = _resume(ctx, request, prefix_needed=False)
    page = sets[state.cursor : state.cursor + ctx.repository.page_size]
    if not page:
        raise OaiError(E.BAD_RESUMPTION_TOKEN, "the set list changed; restart ListSets")
    node = element(root, "ListSets")
    for oai_set in page:
        set_element(node, oai_set)
    _token(node, ctx, state, len(page), len(sets), request.resumption_token is not None)


def _list(root: etree._Element, ctx: _Context, request: OaiRequest) -> None:
    state = _resume(ctx, request, prefix_needed=True)
    metadata_format = _format(ctx, state.metadata_prefix)
    if state.set_spec is not None and not ctx.store.list_sets():
        raise OaiError(E.NO_SET_HIERARCHY, "this repository has no sets")
    page = ctx.store.list_records(
        set_spec=state.set_spec,
        from_=state.from_,
        until=state.until,
        cursor=state.cursor,
        limit=ctx.repository.page_size,
    )
    if page.complete_list_size == 0:
        raise OaiError(E.NO_RECORDS_MATCH, "no records match the arguments")
    if not page.records:
        raise OaiError(E.BAD_RESUMPTION_TOKEN, "the list changed; restart the harvest")
    node = element(root, request.verb)
    repo = ctx.repository
    for record in page.records:
        if request.verb == "ListIdentifiers":
            header_element(node, record, repo.domain)
        else:
            record_element(
                node,
                record,
                metadata_format,
                domain=repo.domain,
                landing_base_url=repo.landing_base_url,
            )
    resumed = request.resumption_token is not None
    _token(node, ctx, state, len(page.records), page.complete_list_size, resumed)


_HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "ListIdentifiers": _list,
    "ListRecords": _list,
    "GetRecord": _get_record,
}


def handle_request(
    arguments: Mapping[str, Sequence[str] | str],
    *,
    store: RecordStore,
    repository: Repository,
    now: datetime,
    token_key: bytes,
    formats: Mapping[str, MetadataFormat] = METADATA_FORMATS,
) -> bytes:
    """Answer one OAI-PMH request.

    Parameters
    ----------
    arguments : mapping of str to sequence of str
        All GET query or POST form arguments, each with every value given.
    store : RecordStore
        Where records and sets come from.
    repository : Repository
        Identify data and paging settings.
    now : datetime
        Aware current time (``responseDate``, token expiry).
    token_key : bytes
        HMAC key for resumption tokens (at least 16 bytes).
    formats : mapping of str to MetadataFormat
        The metadata formats offered, by prefix (default :data:`METADATA_FORMATS`: ``oai_dc``
        and ``lom`` over learning resources). A repository of other records (a library
        catalogue in ``marc21``) passes its own; each format's ``render`` receives the
        record's ``resource`` and ``base_url``.

    Returns
    -------
    bytes
        UTF-8 XML with declaration. OAI errors are inside the document, never raised.
    """
    try:
        request = parse_request(arguments)
    except OaiError as error:
        # badVerb/badArgument responses must not echo the arguments (protocol §3.2).
        root = envelope(now=now, base_url=repository.base_url, request_attributes={})
        error_elements(root, error.errors)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    echoed = {"verb": request.verb, **request.arguments}
    root = envelope(now=now, base_url=repository.base_url, request_attributes=echoed)
    try:
        # Handlers raise every OaiError before they append anything, so the envelope is clean.
        context = _Context(store, repository, now, token_key, formats)
        _HANDLERS[request.verb](root, context, request)
    except OaiError as error:
        error_elements(root, error.errors)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
