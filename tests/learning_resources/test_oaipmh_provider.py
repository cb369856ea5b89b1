import dataclasses
import functools
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from learning_resources.collections_tree import Collection
from learning_resources.crosswalks import LOM_NAMESPACE
from learning_resources.oaipmh import (
    OAI_NAMESPACE,
    InMemoryRecordStore,
    Repository,
    StoredRecord,
    handle_request,
    record_set_specs,
)
from learning_resources.oaipmh.store import collection_sets
from learning_resources.resources import Educational
from learning_resources.workflow import withdraw

NS = {"o": OAI_NAMESPACE, "lom": LOM_NAMESPACE}
KEY = b"provider-test-key-0123456789"
NOW = datetime(2026, 4, 1, 7, 0, 0, 500000, tzinfo=UTC)
DOMAIN = "hoc-lieu.hcm.edu.vn"
REPO = Repository(
    name="Kho học liệu mở TP.HCM",
    base_url="https://hoc-lieu.hcm.edu.vn/oai",
    admin_emails=("hoclieu@hcm.edu.vn",),
    domain=DOMAIN,
    landing_base_url="https://hoc-lieu.hcm.edu.vn",
    page_size=2,
)
COLLECTIONS = [
    Collection("col-toan-10", "Toán 10", description="Học liệu Toán lớp 10"),
    Collection("col-chuong-3", "Hàm số bậc hai", parent="col-toan-10"),
]


@pytest.fixture
def resources(resource_builder, resource, publish_resource):
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    built = []
    for index in range(5):
        education = resource.education
        if index >= 3:
            education = Educational(grades=(11,), subjects=("vat_li",))
        draft = resource_builder(
            identifier=f"res-{index}",
            education=education,
            collections=("col-chuong-3",) if index < 3 else (),
        )
        built.append(publish_resource(draft, start + timedelta(days=index)))
    built[1] = withdraw(built[1], at=start + timedelta(days=6), actor="admin", reason="Trùng lặp")
    return built


@pytest.fixture
def store(resources):
    return InMemoryRecordStore.from_resources(
        resources, COLLECTIONS, earliest=datetime(2026, 1, 1, tzinfo=UTC)
    )


@pytest.fixture
def ask(oai_pmh_schema):
    """Send a request; every response is checked against the OAI-PMH schema."""
    return functools.partial(_ask, oai_pmh_schema)


def _ask(schema, store, **arguments):
    body = handle_request(
        {k.rstrip("_"): [v] for k, v in arguments.items()},
        store=store,
        repository=REPO,
        now=NOW,
        token_key=KEY,
    )
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(body)
    assert schema.validate(root), schema.error_log
    assert root.tag == f"{{{OAI_NAMESPACE}}}OAI-PMH"
    assert root.findtext("o:responseDate", namespaces=NS) == "2026-04-01T07:00:00Z"
    assert root.findtext("o:request", namespaces=NS) == REPO.base_url
    assert len(root) == 3 or root[2].tag == f"{{{OAI_NAMESPACE}}}error"
    return root


def errors(root):
    return [e.get("code") for e in root.findall("o:error", NS)]


def values(root, path):
    return root.xpath(path, namespaces=NS)


def test_identify(ask, store):
    root = ask(store, verb="Identify")
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:repositoryName", namespaces=NS) == "Kho học liệu mở TP.HCM"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == "2026-03-01T08:00:00Z"
    assert values(root, "//*[local-name()='repositoryIdentifier']/text()") == [DOMAIN]
    assert values(root, "o:request/@verb") == ["Identify"]


def test_list_metadata_formats(ask, store):
    root = ask(store, verb="ListMetadataFormats")
    assert values(root, "//o:metadataPrefix/text()") == ["oai_dc", "lom"]
    one = ask(store, verb="ListMetadataFormats", identifier=f"oai:{DOMAIN}:res-0")
    assert values(one, "//o:metadataPrefix/text()") == ["oai_dc", "lom"]
    assert errors(ask(store, verb="ListMetadataFormats", identifier="oai:x.vn:res-0")) == [
        "idDoesNotExist"
    ]


def test_no_metadata_formats_for_a_purged_deleted_record(ask):
    purged = StoredRecord("res-9", NOW, (), None, deleted=True)
    store = InMemoryRecordStore([purged], [], earliest=NOW)
    root = ask(store, verb="ListMetadataFormats", identifier=f"oai:{DOMAIN}:res-9")
    assert errors(root) == ["noMetadataFormats"]
    assert values(root, "o:request/@identifier") == [f"oai:{DOMAIN}:res-9"]


def test_list_sets_pages_and_describes(ask, store):
    root = ask(store, verb="ListSets")
    assert values(root, "//o:setSpec/text()") == [
        "collection:col-toan-10",
        "collection:col-chuong-3",
    ]
    assert values(root, "//*[local-name()='description']/text()") == ["Học liệu Toán lớp 10"]
    token = values(root, "//o:resumptionToken/text()")[0]
    assert values(root, "//o:resumptionToken/@completeListSize") == [str(2 + 24 + 12)]
    second = ask(store, verb="ListSets", resumptionToken=token)
    assert values(second, "//o:setSpec/text()") == ["subject:toan", "subject:tieng_viet"]
    assert values(second, "//o:resumptionToken/@cursor") == ["2"]
    assert errors(ask(store, verb="ListSets", resumptionToken="nonsense")) == ["badResumptionToken"]
    fewer = InMemoryRecordStore([], collection_sets(COLLECTIONS[:1]), earliest=NOW)
    last = values(ask(store, verb="ListSets", resumptionToken=token), "//o:resumptionToken/text()")
    assert errors(ask(fewer, verb="ListSets", resumptionToken=last[0])) == ["badResumptionToken"]


def test_repository_without_sets(ask):
    store = InMemoryRecordStore([], [], earliest=NOW)
    assert errors(ask(store, verb="ListSets")) == ["noSetHierarchy"]
    root = ask(store, verb="ListRecords", metadataPrefix="oai_dc", set="grade:10")
    assert errors(root) == ["noSetHierarchy"]
    assert errors(ask(store, verb="ListRecords", metadataPrefix="oai_dc")) == ["noRecordsMatch"]


def harvest(ask, store, verb, **arguments):
    """Follow resumption tokens to the end; return every page."""
    pages = [ask(store, verb=verb, **arguments)]
    while token := values(pages[-1], "//o:resumptionToken/text()"):
        pages.append(ask(store, verb=verb, resumptionToken=token[0]))
    return pages


def test_list_identifiers_pages_through_everything(ask, store):
    pages = harvest(ask, store, "ListIdentifiers", metadataPrefix="oai_dc")
    assert len(pages) == 3
    identifiers = [i for p in pages for i in values(p, "//o:header/o:identifier/text()")]
    assert identifiers == [f"oai:{DOMAIN}:res-{i}" for i in (0, 2, 3, 4, 1)]
    assert values(pages[0], "//o:resumptionToken/@cursor") == ["0"]
    assert values(pages[0], "//o:resumptionToken/@expirationDate") == ["2026-04-02T07:00:00Z"]
    last = pages[-1].xpath("//o:resumptionToken", namespaces=NS)[0]
    assert last.text is None
    assert last.get("completeListSize") == "5"
    assert last.get("cursor") == "4"
    assert last.get("expirationDate") is None
    deleted = pages[-1].xpath("//o:header[@status='deleted']/o:identifier/text()", namespaces=NS)
    assert deleted == [f"oai:{DOMAIN}:res-1"]
    assert values(pages[0], "//o:header[1]/o:setSpec/text()") == [
        "collection:col-chuong-3",
        "collection:col-toan-10",
        "subject:toan",
        "grade:10",
    ]
    assert values(pages[1], "o:request/@resumptionToken")


def test_list_records_oai_dc_is_valid(ask, store, oai_dc_schema):
    pages = harvest(ask, store, "ListRecords", metadataPrefix="oai_dc")
    records = [r for p in pages for r in p.xpath("//o:record", namespaces=NS)]
    assert len(records) == 5
    for record in records:
        metadata = record.find("o:metadata", NS)
        if record.find("o:header", NS).get("status") == "deleted":
            assert metadata is None
        else:
            assert oai_dc_schema.validate(metadata[0]), oai_dc_schema.error_log


def test_list_records_lom_and_selective_harvesting(ask, store):
    root = ask(store, verb="ListRecords", metadataPrefix="lom", set="subject:vat_li")
    assert values(root, "//o:header/o:identifier/text()") == [
        f"oai:{DOMAIN}:res-3",
        f"oai:{DOMAIN}:res-4",
    ]
    assert len(values(root, "//lom:lom")) == 2
    assert not values(root, "//o:resumptionToken")  # one complete page needs no token
    in_course = ask(
        store, verb="ListIdentifiers", metadataPrefix="oai_dc", set="collection:col-toan-10"
    )
    assert values(in_course, "//o:resumptionToken/@completeListSize") == ["3"]
    dated = ask(
        store,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        from_="2026-03-03",
        until="2026-03-04T08:00:00Z",
    )
    assert errors(dated) == ["badArgument"]
    dated = ask(
        store,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        from_="2026-03-03T00:00:00Z",
        until="2026-03-04T08:00:00Z",
    )
    assert values(dated, "//o:identifier/text()") == [f"oai:{DOMAIN}:res-2", f"oai:{DOMAIN}:res-3"]
    assert values(dated, "o:request/@from") == ["2026-03-03T00:00:00Z"]
    none = ask(store, verb="ListRecords", metadataPrefix="oai_dc", set="grade:3")
    assert errors(none) == ["noRecordsMatch"]


def test_cannot_disseminate_unknown_format(ask, store):
    for verb in ("ListRecords", "ListIdentifiers"):
        assert errors(ask(store, verb=verb, metadataPrefix="marc21")) == ["cannotDisseminateFormat"]
    root = ask(store, verb="GetRecord", identifier=f"oai:{DOMAIN}:res-0", metadataPrefix="mods")
    assert errors(root) == ["cannotDisseminateFormat"]


def test_get_record(ask, store, oai_dc_schema):
    root = ask(store, verb="GetRecord", identifier=f"oai:{DOMAIN}:res-0", metadataPrefix="oai_dc")
    assert values(root, "//o:header/o:datestamp/text()") == ["2026-03-01T08:00:00Z"]
    assert oai_dc_schema.validate(root.find("o:GetRecord/o:record/o:metadata", NS)[0])
    deleted = ask(store, verb="GetRecord", identifier=f"oai:{DOMAIN}:res-1", metadataPrefix="lom")
    assert values(deleted, "//o:header/@status") == ["deleted"]
    assert values(deleted, "//o:header/o:datestamp/text()") == ["2026-03-07T08:00:00Z"]
    assert not values(deleted, "//o:metadata")
    missing = ask(
        store, verb="GetRecord", identifier=f"oai:{DOMAIN}:res-77", metadataPrefix="oai_dc"
    )
    assert errors(missing) == ["idDoesNotExist"]


def test_get_record_without_metadata_that_is_not_deleted(ask):
    store = InMemoryRecordStore([StoredRecord("res-8", NOW, (), None)], [], earliest=NOW)
    root = ask(store, verb="GetRecord", identifier=f"oai:{DOMAIN}:res-8", metadataPrefix="oai_dc")
    assert errors(root) == ["cannotDisseminateFormat"]


def test_bad_verb_and_argument_responses_do_not_echo_arguments(ask, store):
    for arguments in ({"verb": "Harvest"}, {"verb": "GetRecord", "identifier": "x"}):
        root = ask(store, **arguments)
        assert root.find("o:request", NS).attrib == {}
    assert errors(ask(store, verb="Harvest")) == ["badVerb"]


def test_tokens_are_checked(ask, store):
    first = ask(store, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = values(first, "//o:resumptionToken/text()")[0]
    assert errors(ask(store, verb="ListSets", resumptionToken=token)) == ["badResumptionToken"]
    sets_token = values(ask(store, verb="ListSets"), "//o:resumptionToken/text()")[0]
    assert errors(ask(store, verb="ListRecords", resumptionToken=sets_token)) == [
        "badResumptionToken"
    ]
    late = handle_request(
        {"verb": "ListIdentifiers", "resumptionToken": token},
        store=store,
        repository=REPO,
        now=NOW + timedelta(days=2),
        token_key=KEY,
    )
    assert b'code="badResumptionToken"' in late
    assert b"expired" in late


def test_until_is_frozen_at_the_first_request(ask, store, resources):
    first = ask(store, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = values(first, "//o:resumptionToken/text()")[0]
    newer = dataclasses.replace(
        resources[0], identifier="res-new", modified=NOW + timedelta(hours=1)
    )
    grown = InMemoryRecordStore.from_resources(
        [*resources, newer], COLLECTIONS, earliest=datetime(2026, 1, 1, tzinfo=UTC)
    )
    later = ask(grown, verb="ListIdentifiers", resumptionToken=token)
    assert f"oai:{DOMAIN}:res-new" not in values(later, "//o:identifier/text()")
    shrunk = InMemoryRecordStore.from_resources(resources[:1], COLLECTIONS, earliest=NOW)
    assert errors(ask(shrunk, verb="ListIdentifiers", resumptionToken=token)) == [
        "badResumptionToken"
    ]


def test_record_set_specs_without_a_tree(resources):
    assert record_set_specs(resources[0]) == ("collection:col-chuong-3", "subject:toan", "grade:10")


def test_empty_store_reports_its_earliest_datestamp(ask):
    store = InMemoryRecordStore([], [], earliest=datetime(2025, 9, 5, tzinfo=UTC))
    assert values(ask(store, verb="Identify"), "//o:earliestDatestamp/text()") == [
        "2025-09-05T00:00:00Z"
    ]


def test_the_schema_check_is_not_vacuous(ask, store, oai_pmh_schema):
    root = ask(store, verb="GetRecord", identifier=f"oai:{DOMAIN}:res-0", metadataPrefix="oai_dc")
    root.find("o:GetRecord/o:record/o:header", NS).set("status", "gone")
    assert not oai_pmh_schema.validate(root)
    dc = root.find("o:GetRecord/o:record/o:metadata", NS)[0]
    dc[0].tag = "{http://purl.org/dc/elements/1.1/}titel"
    del root.find("o:GetRecord/o:record/o:header", NS).attrib["status"]
    assert not oai_pmh_schema.validate(root)


def test_a_repository_offers_its_own_metadata_formats(store):
    from learning_resources.oaipmh import MetadataFormat

    namespace = "urn:example:plain"

    def plain(resource, *, base_url):
        node = etree.Element(f"{{{namespace}}}plain", nsmap={None: namespace})
        node.text = f"{resource.identifier} @ {base_url}"
        return node

    formats = {"plain": MetadataFormat("plain", "urn:example:plain.xsd", namespace, plain)}

    def ask_plain(**arguments):
        return etree.fromstring(
            handle_request(
                arguments, store=store, repository=REPO, now=NOW, token_key=KEY, formats=formats
            )
        )

    listed = ask_plain(verb="ListMetadataFormats")
    assert listed.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["plain"]
    record = ask_plain(verb="GetRecord", identifier=f"oai:{DOMAIN}:res-0", metadataPrefix="plain")
    text = record.xpath("//p:plain/text()", namespaces={"p": namespace})
    assert text == [f"res-0 @ {REPO.landing_base_url}"]
    first = ask_plain(verb="ListRecords", metadataPrefix="plain")
    token = first.findtext(".//o:resumptionToken", namespaces=NS)
    resumed = ask_plain(verb="ListRecords", resumptionToken=token)
    assert resumed.xpath("//p:plain", namespaces={"p": namespace})
    refused = ask_plain(verb="ListRecords", metadataPrefix="oai_dc")
    assert errors(refused) == ["cannotDisseminateFormat"]
