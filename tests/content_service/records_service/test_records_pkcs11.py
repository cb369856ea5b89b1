"""Transcripts signed through a real PKCS#11 token (SoftHSM2) validate with pyHanko and pdfsig.

The token lives in a temporary folder (``SOFTHSM2_CONF``); the keys and certificates come from
the test PKI, imported with ``softhsm2-util`` (keys) and python-pkcs11 (certificates), under
the labels the provider looks for: ``<school code>-<username>`` and ``<school code>-seal``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from fastapi.testclient import TestClient
from pkcs11 import Attribute, CertificateType, ObjectClass
from pydantic import ValidationError
from sqlalchemy import Engine

from content_service.errors import UnprocessableError
from content_service.main import create_app
from content_service.services.signing import (
    Pkcs11KeyProvider,
    close_key_providers,
    issue_test_pki,
    key_provider,
)
from content_service.settings import Settings
from tests.content_service.records_service.records_factories import (
    HOMEROOM,
    PRINCIPAL,
    SCHOOL_CODE,
    full_year,
    make_class_world,
)
from tests.factories import bearer

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, PIN, SO_PIN = "cs-hoc-ba", "246810", "13579135"


@dataclass(frozen=True)
class Token:
    roots: Path


def _import(folder: Path, p12: Path, label: str, key_id: str) -> None:
    key, cert, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), None)
    assert key is not None
    assert cert is not None
    pem = folder / f"{label}.key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    subprocess.run(
        [
            *("softhsm2-util", "--import", str(pem), "--token", TOKEN),
            *("--label", label, "--id", key_id, "--pin", PIN),
        ],
        check=True,
        capture_output=True,
    )
    pem.unlink()
    with pkcs11.lib(MODULE).get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: bytes.fromhex(key_id),
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )


_MADE: list[Token] = []


@pytest.fixture
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    """A SoftHSM2 token holding the homeroom teacher's, the principal's and the seal's keys.

    Made once per process: the PKCS#11 module reads ``SOFTHSM2_CONF`` only when it is first
    loaded, so a second token folder would never be seen.
    """
    if _MADE:
        yield _MADE[0]
        return
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        subprocess.run(
            [
                *("softhsm2-util", "--init-token", "--free", "--label", TOKEN),
                *("--so-pin", SO_PIN, "--pin", PIN),
            ],
            check=True,
            capture_output=True,
        )
        pki = folder / "pki"
        issue_test_pki(
            pki,
            school_code=SCHOOL_CODE,
            school_name="Trường THPT Lê Quý Đôn",
            people={HOMEROOM: "Trần Văn Bình", PRINCIPAL: "Lê Thị Cúc"},
        )
        school = pki / SCHOOL_CODE
        _import(folder, school / "people" / f"{HOMEROOM}.p12", f"{SCHOOL_CODE}-{HOMEROOM}", "01")
        _import(folder, school / "people" / f"{PRINCIPAL}.p12", f"{SCHOOL_CODE}-{PRINCIPAL}", "02")
        _import(folder, school / "seal.p12", f"{SCHOOL_CODE}-seal", "03")
        for p12 in school.rglob("*.p12"):
            p12.unlink()  # the keys now exist only on the token
        _MADE.append(Token(roots=pki / "ca"))
    yield _MADE[0]


def _token_settings(settings: Settings, token: Token) -> Settings:
    return settings.model_copy(
        update={
            "SIGNING_KEY_PROVIDER": "pkcs11",
            "SIGNING_PKCS11_LIB": MODULE,
            "SIGNING_PKCS11_TOKEN": TOKEN,
            "SIGNING_PKCS11_PIN": PIN,
            "SIGNING_TRUST_ROOTS": token.roots,
        }
    )


def test_transcript_signed_on_the_token_validates(
    token: Token, settings: Settings, db: Engine, tmp_path: Path
) -> None:
    on_token = _token_settings(settings, token)
    # The token's PKI has its own root, trusted only through SIGNING_TRUST_ROOTS: a signature
    # made with any key file of DATA_DIR would not verify below.
    assert isinstance(key_provider(on_token), Pkcs11KeyProvider)
    with TestClient(create_app(on_token), base_url="http://127.0.0.1") as client:
        world = make_class_world(db)
        full_year(db, world)
        admin = bearer(client, world.admin)
        issued = client.post(
            "/transcripts",
            json={"student_id": str(world.students[0].id), "class_id": str(world.klass.id)},
            headers=admin,
        )
        assert issued.status_code == 201, issued.text
        pdf = client.get(f"/transcripts/{issued.json()['id']}/pdf", headers=admin).content
        verdict = client.post(
            "/transcripts/verify", files={"file": ("hb.pdf", pdf, "application/pdf")}
        ).json()
    assert (verdict["authentic"], verdict["unchanged"], verdict["registered"]) == (True, True, True)
    assert [s["signer"] for s in verdict["signatures"]] == [
        "Trần Văn Bình",
        "Lê Thị Cúc",
        "Trường THPT Lê Quý Đôn",
    ]
    path = tmp_path / "hb.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 3
    assert "Total document signed" in out


def test_missing_key_and_wrong_pin_are_clear_errors(token: Token) -> None:
    close_key_providers()  # a PKCS#11 login lasts while any session of the process is open
    provider = Pkcs11KeyProvider(
        lib_location=MODULE, token_label=TOKEN, pin=PIN, trust_roots_dir=token.roots
    )
    with pytest.raises(UnprocessableError, match="no signing key '79000001-nobody'") as missing:
        provider.person_signer(school_code=SCHOOL_CODE, username="nobody")
    assert missing.value.code == "no_key"
    assert len(provider.trust_roots()) == 1
    provider.close()
    wrong = Pkcs11KeyProvider(
        lib_location=MODULE, token_label=TOKEN, pin="000000", trust_roots_dir=token.roots
    )
    with pytest.raises(UnprocessableError) as refused:
        wrong.seal_signer(school_code=SCHOOL_CODE)
    assert refused.value.code == "token_unavailable"
    absent = Pkcs11KeyProvider(
        lib_location=MODULE, token_label="no-such-token", pin=PIN, trust_roots_dir=token.roots
    )
    with pytest.raises(UnprocessableError, match="'no-such-token' is not available"):
        absent.seal_signer(school_code=SCHOOL_CODE)


def test_pkcs11_provider_needs_its_module_and_token() -> None:
    with pytest.raises(ValidationError, match="needs SIGNING_PKCS11_LIB and SIGNING_PKCS11_TOKEN"):
        Settings(SIGNING_KEY_PROVIDER="pkcs11", SIGNING_PKCS11_LIB=MODULE)
    assert os.path.exists(MODULE)  # scripts/install puts SoftHSM2 on the machine
