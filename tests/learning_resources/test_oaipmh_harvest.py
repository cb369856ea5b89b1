from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from learning_resources.crosswalks import OAI_DC_NAMESPACE
from learning_resources.oaipmh import (
    InMemoryRecordStore,
    OaiError,
    OaiErrorCode,
    Repository,
    handle_request,
    parse_list_records,
    parse_oai_dc,
)
from learning_resources.workflow import withdraw

KEY = b"harvest-test-key-0123456789"
NOW = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
REPO = Repository(
    name="Kho học liệu",
    base_url="https://hoc-lieu.hcm.edu.vn/oai",
    admin_emails=("hoclieu@hcm.edu.vn",),
    domain="hoc-lieu.hcm.edu.vn",
    landing_base_url="https://hoc-lieu.hcm.edu.vn",
    page_size=3,
)


@pytest.fixture
def store(resource_builder, publish_resource):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    resources = [
        publish_resource(resource_builder(identifier=f"res-{i}"), start + timedelta(hours=i))
        for i in range(7)
    ]
    resources[4] = withdraw(resources[4], at=start + timedelta(days=3), actor="a", reason="Lỗi")
    return InMemoryRecordStore.from_resources(resources, earliest=start)


def provider(store, arguments):
    return handle_request(arguments, store=store, repository=REPO, now=NOW, token_key=KEY)


def test_harvesting_our_own_provider_collects_every_record(store):
    arguments = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    records, deleted, sizes = [], [], []
    while True:
        page = parse_list_records(provider(store, arguments))
        records += page.records
        deleted += page.deleted
        sizes.append(page.complete_list_size)
        if page.resumption_token is None:
            break
        arguments = {"verb": "ListRecords", "resumptionToken": page.resumption_token}
    assert sizes == [7, 7, 7]
    assert [r.identifier for r in records] == [
        f"oai:hoc-lieu.hcm.edu.vn:res-{i}" for i in (0, 1, 2, 3, 5, 6)
    ]
    assert deleted == ["oai:hoc-lieu.hcm.edu.vn:res-4"]
    assert records[1].datestamp == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert records[0].set_specs == ("collection:col-toan-10", "subject:toan", "grade:10")
    dc = parse_oai_dc(records[0].metadata)
    assert dc["title"] == ["Hàm số bậc hai và đồ thị"]
    assert dc["subject"][0] == "Toán"


def test_list_identifiers_pages_have_no_metadata(store):
    page = parse_list_records(provider(store, {"verb": "ListIdentifiers", "metadataPrefix": "lom"}))
    assert len(page.records) == 3
    assert all(record.metadata is None for record in page.records)
    assert page.resumption_token


def test_no_records_match_is_an_empty_final_page(store):
    body = provider(store, {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "grade:1"})
    page = parse_list_records(body)
    assert (page.records, page.deleted, page.resumption_token) == ((), (), None)


def test_other_errors_raise(store):
    with pytest.raises(OaiError) as info:
        parse_list_records(provider(store, {"verb": "ListRecords", "metadataPrefix": "marc"}))
    assert info.value.oai_code is OaiErrorCode.CANNOT_DISSEMINATE_FORMAT
    foreign = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>x</responseDate>'
        b'<error code="somethingElse">odd</error><error code="badArgument">bad</error></OAI-PMH>'
    )
    with pytest.raises(OaiError) as info:
        parse_list_records(foreign)
    assert [code for code, _ in info.value.errors] == [OaiErrorCode.BAD_ARGUMENT] * 2


def test_day_granularity_datestamps_and_whitespace_tokens_from_other_providers():
    body = """<?xml version="1.0"?>
    <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
      <responseDate>2026-04-01T00:00:00Z</responseDate><request>http://x</request>
      <ListRecords>
        <record><header><identifier> oai:x:1 </identifier><datestamp>2026-02-03</datestamp></header>
          <metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
             xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Lịch sử Việt Nam</dc:title>
             <dc:title> </dc:title><other>x</other></oai_dc:dc></metadata></record>
        <resumptionToken completeListSize="9">  page-2  </resumptionToken>
      </ListRecords>
    </OAI-PMH>""".encode()
    page = parse_list_records(body)
    assert page.records[0].identifier == "oai:x:1"
    assert page.records[0].datestamp == datetime(2026, 2, 3, tzinfo=UTC)
    assert (page.resumption_token, page.complete_list_size) == ("page-2", 9)
    assert parse_oai_dc(page.records[0].metadata) == {"title": ["Lịch sử Việt Nam"]}


def test_malformed_pages_raise_value_errors():
    with pytest.raises(ValueError, match="not an OAI-PMH response"):
        parse_list_records(b"<html/>")
    with pytest.raises(ValueError, match="identifier"):
        parse_list_records(
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>'
            b"<header><datestamp>2026-01-01</datestamp></header></record></ListRecords></OAI-PMH>"
        )
    with pytest.raises(etree.XMLSyntaxError):
        parse_list_records(b"<OAI-PMH")
    with pytest.raises(ValueError, match="oai_dc"):
        parse_oai_dc(etree.Element(f"{{{OAI_DC_NAMESPACE}}}other"))


def test_entities_are_not_expanded():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "EXPANDED">]>'
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListIdentifiers>'
        b"<header><identifier>&x;</identifier><datestamp>2026-01-01</datestamp></header>"
        b"</ListIdentifiers></OAI-PMH>"
    )
    page = parse_list_records(body)
    assert "EXPANDED" not in page.records[0].identifier
