from datetime import UTC, datetime, timedelta

import pytest

from learning_resources.oaipmh import (
    OaiError,
    OaiErrorCode,
    ResumptionState,
    decode_token,
    encode_token,
    parse_request,
    parse_set_spec,
)

E = OaiErrorCode
KEY = b"0123456789abcdef-test-key"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "arguments",
    [
        {"verb": "Identify"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListMetadataFormats", "identifier": "oai:x.vn:res-1"},
        {"verb": "ListSets"},
        {"verb": "ListSets", "resumptionToken": "abc"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "lom", "set": "grade:10", "from": "2026-01-01"},
        {"verb": "ListRecords", "resumptionToken": "abc"},
        {"verb": "GetRecord", "identifier": "oai:x.vn:res-1", "metadataPrefix": "oai_dc"},
    ],
)
def test_valid_requests_for_all_six_verbs(arguments):
    request = parse_request({name: [value] for name, value in arguments.items()})
    assert request.verb == arguments["verb"]
    assert request.arguments == {k: v for k, v in arguments.items() if k != "verb"}


def test_parsed_fields_and_inclusive_day_until():
    request = parse_request(
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2026-01-01",
            "until": "2026-01-31",
            "set": "collection:col-toan-10",
        }
    )
    assert request.metadata_prefix == "oai_dc"
    assert request.set_spec == "collection:col-toan-10"
    assert request.from_ == datetime(2026, 1, 1, tzinfo=UTC)
    assert request.until == datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)
    seconds = parse_request(
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2026-01-31T10:00:00Z"}
    )
    assert seconds.until == datetime(2026, 1, 31, 10, tzinfo=UTC)
    assert seconds.from_ is None
    assert seconds.resumption_token is None


@pytest.mark.parametrize(
    ("arguments", "code", "match"),
    [
        ({}, E.BAD_VERB, "missing"),
        ({"verb": "ListAll"}, E.BAD_VERB, "not an OAI-PMH verb"),
        ({"verb": ["Identify", "Identify"]}, E.BAD_VERB, "repeated"),
        ({"verb": "Identify", "set": "grade:1"}, E.BAD_ARGUMENT, "illegal argument 'set'"),
        ({"verb": "ListRecords"}, E.BAD_ARGUMENT, "missing required argument 'metadataPrefix'"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, E.BAD_ARGUMENT, "'identifier'"),
        (
            {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "lom"]},
            E.BAD_ARGUMENT,
            "repeated",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "t", "metadataPrefix": "oai_dc"},
            E.BAD_ARGUMENT,
            "exclusive",
        ),
        ({"verb": "ListRecords", "metadataPrefix": ""}, E.BAD_ARGUMENT, "empty"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"},
            E.BAD_ARGUMENT,
            "from=",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2026-01-01T10:00Z"},
            E.BAD_ARGUMENT,
            "until=",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-01-01",
                "until": "2026-02-01T00:00:00Z",
            },
            E.BAD_ARGUMENT,
            "granularity",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2026-02-02",
                "until": "2026-02-01",
            },
            E.BAD_ARGUMENT,
            "later",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "lop:10"},
            E.BAD_ARGUMENT,
            "set=",
        ),
    ],
)
def test_bad_requests(arguments, code, match):
    with pytest.raises(OaiError, match=match) as info:
        parse_request(arguments)
    assert info.value.oai_code is code


def test_several_argument_problems_are_all_reported():
    with pytest.raises(OaiError) as info:
        parse_request({"verb": "GetRecord", "set": "grade:1"})
    assert [code for code, _ in info.value.errors] == [E.BAD_ARGUMENT] * 3


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("collection:col-abc", ("collection", "col-abc")),
        ("subject:hoa_hoc", ("subject", "hoa_hoc")),
        ("grade:12", ("grade", "12")),
    ],
)
def test_set_specs(spec, expected):
    assert parse_set_spec(spec) == expected


@pytest.mark.parametrize("spec", ["grade", "grade:", "grade:1:2", "môn:toán", "school:x", "a b"])
def test_bad_set_specs(spec):
    with pytest.raises(OaiError, match="set="):
        parse_set_spec(spec)


STATE = ResumptionState(
    metadata_prefix="oai_dc",
    set_spec="subject:toan",
    from_=datetime(2026, 1, 1, tzinfo=UTC),
    until=datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC),
    cursor=200,
    expires=NOW + timedelta(hours=1),
)


def test_token_round_trip():
    token = encode_token(STATE, key=KEY)
    assert token.isascii()
    assert " " not in token
    assert decode_token(token, key=KEY, now=NOW) == STATE
    bare = ResumptionState(None, None, None, None, 0, NOW)
    assert decode_token(encode_token(bare, key=KEY), key=KEY, now=NOW) == bare


def test_token_rejects_tampering_wrong_key_expiry_and_garbage():
    token = encode_token(STATE, key=KEY)
    payload, signature = token.split(".")
    forged = encode_token(
        ResumptionState("oai_dc", None, None, None, 0, NOW + timedelta(days=9)), key=KEY
    ).split(".")[0]
    for bad in (
        f"{forged}.{signature}",
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "garbage",
        "",
        f"{payload}.ẞ",
    ):
        with pytest.raises(OaiError, match="invalid") as info:
            decode_token(bad, key=KEY, now=NOW)
        assert info.value.oai_code is E.BAD_RESUMPTION_TOKEN
    with pytest.raises(OaiError, match="invalid"):
        decode_token(token, key=b"another-key-of-16-bytes", now=NOW)
    with pytest.raises(OaiError, match="expired"):
        decode_token(token, key=KEY, now=NOW + timedelta(hours=2))


def test_signed_but_malformed_payload_is_rejected():
    import base64
    import hashlib
    import hmac

    payload = base64.urlsafe_b64encode(b'{"p": "oai_dc"}').rstrip(b"=").decode()
    signature = (
        base64.urlsafe_b64encode(hmac.new(KEY, payload.encode(), hashlib.sha256).digest())
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(OaiError, match="invalid"):
        decode_token(f"{payload}.{signature}", key=KEY, now=NOW)


def test_token_key_must_be_long_enough():
    with pytest.raises(ValueError, match="16 bytes"):
        encode_token(STATE, key=b"short")
