"""OAI-PMH 2.0: request validation, a data provider over a record store, and a harvest parser.

Metadata formats: ``oai_dc`` (mandatory) and ``lom`` (IEEE LOM XML). Sets: ``collection:<id>``,
``subject:<code>``, ``grade:<n>``. Deleted records are kept persistently.
"""

from learning_resources.oaipmh.errors import OaiError, OaiErrorCode
from learning_resources.oaipmh.harvest import (
    HarvestedRecord,
    HarvestPage,
    parse_list_records,
    parse_oai_dc,
)
from learning_resources.oaipmh.provider import Repository, handle_request
from learning_resources.oaipmh.requests import OaiRequest, parse_request, parse_set_spec
from learning_resources.oaipmh.responses import METADATA_FORMATS, OAI_NAMESPACE, MetadataFormat
from learning_resources.oaipmh.store import (
    InMemoryRecordStore,
    OaiSet,
    RecordPage,
    RecordStore,
    StoredRecord,
    record_set_specs,
    standard_sets,
)
from learning_resources.oaipmh.tokens import ResumptionState, decode_token, encode_token

__all__ = [
    "METADATA_FORMATS",
    "OAI_NAMESPACE",
    "HarvestPage",
    "HarvestedRecord",
    "InMemoryRecordStore",
    "MetadataFormat",
    "OaiError",
    "OaiErrorCode",
    "OaiRequest",
    "OaiSet",
    "RecordPage",
    "RecordStore",
    "Repository",
    "ResumptionState",
    "StoredRecord",
    "decode_token",
    "encode_token",
    "handle_request",
    "parse_list_records",
    "parse_oai_dc",
    "parse_request",
    "parse_set_spec",
    "record_set_specs",
    "standard_sets",
]
