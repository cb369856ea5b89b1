import uuid
from datetime import timedelta

import pytest

from learning_resources.durations import format_duration, parse_duration
from learning_resources.errors import MetadataValidationError, UnknownLicenceError
from learning_resources.identifiers import (
    collection_identifier,
    oai_identifier,
    parse_oai_identifier,
    resource_identifier,
    validate_identifier,
    version_key,
)
from learning_resources.licences import LICENCES, get_licence, licence_from_uri
from learning_resources.vocabularies import subject_name


def test_licence_registry():
    assert get_licence("cc-by-sa-4.0").uri == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert get_licence("CC0-1.0").attribution is False
    nd = get_licence("CC-BY-NC-ND-4.0")
    assert nd.non_commercial
    assert nd.no_derivatives
    assert not nd.allows_adaptation
    assert get_licence("CC-BY-ND-3.0").name == "Creative Commons Attribution-NoDerivs 3.0 Unported"
    assert len(LICENCES) == 13
    assert all(lic.uri.startswith("https://creativecommons.org/") for lic in LICENCES.values())
    with pytest.raises(UnknownLicenceError, match="licence"):
        get_licence("MIT")


@pytest.mark.parametrize(
    "uri",
    [
        "http://creativecommons.org/licenses/by/4.0",
        "https://creativecommons.org/licenses/by/4.0/deed.vi",
        "https://creativecommons.org/licenses/by/4.0/legalcode",
    ],
)
def test_licence_from_uri_tolerates_common_spellings(uri):
    assert licence_from_uri(uri).code == "CC-BY-4.0"


def test_licence_from_unknown_uri():
    with pytest.raises(UnknownLicenceError):
        licence_from_uri("https://opensource.org/licenses/MIT")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT45M", timedelta(minutes=45)),
        ("PT1H30M", timedelta(minutes=90)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(weeks=2)),
        ("PT30S", timedelta(seconds=30)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["P", "PT", "P1DT", "PT0M", "P1Y", "P1M", "45M", "PT1.5H", "pt45m"]
)
def test_parse_duration_rejects(text):
    with pytest.raises(MetadataValidationError, match="time_required"):
        parse_duration(text)


def test_format_duration_round_trips():
    for text in ("PT45M", "PT1H30M", "P1DT2H", "PT1H0M5S".replace("0M", ""), "P3D"):
        assert format_duration(parse_duration(text)) == text
    with pytest.raises(MetadataValidationError):
        format_duration(timedelta(0))
    with pytest.raises(MetadataValidationError):
        format_duration(timedelta(seconds=1.5))


def test_identifiers_are_stable_and_key_safe():
    value = uuid.UUID("0190f2a4-7c1e-7b7d-8c1d-5b2b9f0e4a11")
    identifier = resource_identifier(value)
    assert identifier == resource_identifier(value)
    assert identifier.startswith("res-")
    assert len(identifier) == 30
    assert validate_identifier(identifier) == identifier
    assert collection_identifier(value) == "col-" + identifier[4:]
    assert resource_identifier(uuid.UUID(int=0)) == "res-" + "0" * 26
    smaller, larger = uuid.UUID(int=5), uuid.UUID(int=2**100)
    assert resource_identifier(smaller) < resource_identifier(larger)
    assert version_key(identifier, 3) == f"{identifier}-v3"


@pytest.mark.parametrize("bad", ["", "-a", "a-", "Res-1", "res_1", "a" * 65, "bài-1"])
def test_validate_identifier_rejects(bad):
    with pytest.raises(MetadataValidationError, match="collection"):
        validate_identifier(bad, field="collection")


def test_oai_identifiers():
    assert oai_identifier("hoc-lieu.hcm.edu.vn", "res-1") == "oai:hoc-lieu.hcm.edu.vn:res-1"
    assert parse_oai_identifier("hoc-lieu.hcm.edu.vn", "oai:hoc-lieu.hcm.edu.vn:res-1") == "res-1"
    assert parse_oai_identifier("hoc-lieu.hcm.edu.vn", "oai:other.vn:res-1") is None
    assert parse_oai_identifier("hoc-lieu.hcm.edu.vn", "oai:hoc-lieu.hcm.edu.vn:Bad id") is None
    with pytest.raises(MetadataValidationError, match="repository_domain"):
        oai_identifier("localhost", "res-1")
    with pytest.raises(MetadataValidationError, match="version"):
        version_key("res-1", 0)


def test_subject_names_are_canonical_vietnamese():
    assert subject_name("hoa_hoc") == "Hóa học"
    assert subject_name("dia_li") == "Địa lí"
    with pytest.raises(KeyError):
        subject_name("hoa hoc")
