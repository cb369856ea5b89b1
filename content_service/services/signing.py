"""PAdES signing and verification of transcripts, with pluggable key providers.

A :class:`KeyProvider` hands out a pyHanko ``Signer`` for a person (homeroom teacher, principal)
or for the school's seal, and the trust roots verification accepts. :class:`FileKeyProvider`
reads PKCS#12 files (tests, demos, a school without tokens yet); :class:`Pkcs11KeyProvider`
talks to a USB token or HSM through PKCS#11, as production seal certificates (VGCA) require.

File layout of :class:`FileKeyProvider` (``root`` is ``DATA_DIR/signing`` by default)::

    root/ca/*.pem                         trusted root certificates
    root/<school code>/seal.p12           the school's organisation (seal) certificate
    root/<school code>/people/<username>.p12   a person's certificate

:func:`issue_test_pki` writes such a tree with a fresh root CA (tests and the demo only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from content_service.errors import BadRequestError, UnprocessableError

SEAL = "seal"
SIGNATURE_BYTES = 8_192  # room for the CMS container: signature, certificate chain


class KeyProvider(Protocol):
    """Where signing keys come from (files, a USB token, an HSM)."""

    def person_signer(self, *, school_code: str, username: str) -> signers.Signer: ...

    def seal_signer(self, *, school_code: str) -> signers.Signer: ...

    def trust_roots(self) -> list[asn1_x509.Certificate]: ...


class FileKeyProvider:
    """PKCS#12 files on disk (passphrase-less, or with ``<name>.p12.pass`` beside them)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _load(self, path: Path, what: str) -> signers.Signer:
        if not path.is_file():
            raise UnprocessableError(f"{what}: no signing certificate ({path.name})", code="no_key")
        pass_file = path.with_suffix(".p12.pass")
        passphrase = pass_file.read_bytes().strip() if pass_file.is_file() else None
        signer: signers.SimpleSigner | None = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
            str(path), passphrase=passphrase
        )
        if signer is None:
            raise UnprocessableError(f"{what}: unreadable PKCS#12 file", code="bad_key")
        return signer

    def person_signer(self, *, school_code: str, username: str) -> signers.Signer:
        path = self.root / school_code / "people" / f"{username}.p12"
        return self._load(path, f"user {username}")

    def seal_signer(self, *, school_code: str) -> signers.Signer:
        return self._load(self.root / school_code / "seal.p12", f"school {school_code} seal")

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        folder = self.root / "ca"
        paths = sorted(folder.glob("*.pem")) if folder.is_dir() else []
        return [_asn1_cert(x509.load_pem_x509_certificate(p.read_bytes())) for p in paths]


class Pkcs11KeyProvider:  # pragma: no cover - needs a token; exercised on the school's machine
    """Keys on a PKCS#11 token (USB token or HSM); labels name the key per person or seal.

    Needs the ``python-pkcs11`` package and the vendor's PKCS#11 library.
    """

    def __init__(
        self, *, lib_location: str, token_label: str, pin: str, trust_root_pems: list[Path]
    ) -> None:
        self.lib_location = lib_location
        self.token_label = token_label
        self.pin = pin
        self.trust_root_pems = trust_root_pems

    def _signer(self, key_label: str) -> signers.Signer:
        # imported late: python-pkcs11 is optional
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11

        session = pkcs11.open_pkcs11_session(
            self.lib_location,
            token_criteria=TokenCriteria(label=self.token_label),
            user_pin=self.pin,
        )
        return pkcs11.PKCS11Signer(session, key_label=key_label)

    def person_signer(self, *, school_code: str, username: str) -> signers.Signer:
        return self._signer(f"{school_code}-{username}")

    def seal_signer(self, *, school_code: str) -> signers.Signer:
        return self._signer(f"{school_code}-{SEAL}")

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        return [
            _asn1_cert(x509.load_pem_x509_certificate(p.read_bytes())) for p in self.trust_root_pems
        ]


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def default_key_provider(data_dir: Path) -> FileKeyProvider:
    return FileKeyProvider(data_dir / "signing")


# -- signing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SigningStep:
    """One signature of the sequence: which field, whose key, in which capacity."""

    field_name: str
    signer: signers.Signer
    role: str  # "Giáo viên chủ nhiệm", "Hiệu trưởng", "Con dấu nhà trường"
    name: str


async def sign_in_sequence(pdf: bytes, steps: list[SigningStep]) -> bytes:
    """Apply PAdES signatures one after another, each as an incremental update.

    Each later signature covers the earlier ones, so the order is part of what is verified.
    """
    data = pdf
    for step in steps:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        meta = signers.PdfSignatureMetadata(
            field_name=step.field_name,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=step.role,
            name=step.name,
        )
        try:
            # A fixed reservation skips pyHanko's dry-run signature that only measures the size.
            out = await signers.PdfSigner(meta, signer=step.signer).async_sign_pdf(
                writer, bytes_reserved=SIGNATURE_BYTES
            )
        except SigningError as exc:
            raise UnprocessableError(
                f"{step.role}: signing failed: {exc}", code="signing_failed"
            ) from exc
        data = out.getvalue()
    return data


# -- verification ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    field: str
    signer: str
    reason: str
    signed_at: str | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool


@dataclass(frozen=True, slots=True)
class VerificationResult:
    authentic: bool  # every signature intact, valid and from a trusted certificate
    unchanged: bool  # nothing was added after the last signature
    sha256: str
    signatures: tuple[SignatureCheck, ...]
    problem: str | None = None


async def verify_pdf(
    data: bytes, *, trust_roots: list[asn1_x509.Certificate], required: int = 3
) -> VerificationResult:
    """Check every signature of ``data`` with pyHanko's validator against ``trust_roots``.

    A file that cannot even be parsed is reported as not authentic, never as an error.
    """
    digest = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        return VerificationResult(False, False, digest, (), f"not a readable PDF: {exc}")
    if not embedded:
        return VerificationResult(False, False, digest, (), "the file carries no signature")
    checks: list[SignatureCheck] = []
    for signature in embedded:
        checks.append(await _check(signature, trust_roots))
    authentic = len(checks) >= required and all(c.intact and c.valid and c.trusted for c in checks)
    unchanged = all(c.intact for c in checks) and checks[-1].covers_whole_file
    problem = None
    if len(checks) < required:
        problem = f"{len(checks)} signature(s), {required} expected"
    elif not authentic:
        problem = "a signature is broken or not trusted"
    elif not unchanged:
        problem = "the file was changed after the last signature"
    return VerificationResult(authentic, unchanged, digest, tuple(checks), problem)


async def _check(signature: Any, trust_roots: list[asn1_x509.Certificate]) -> SignatureCheck:
    context = ValidationContext(
        trust_roots=trust_roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    name = signature.field_name
    try:
        status = await async_validate_pdf_signature(signature, context)
    except Exception as exc:
        return SignatureCheck(name, "?", str(exc)[:200], None, False, False, False, False)
    signer = status.signing_cert.subject.native.get("common_name", "?")
    signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
    reason = str(signature.sig_object.get("/Reason", ""))
    coverage = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return SignatureCheck(
        name,
        signer,
        reason,
        signed_at,
        bool(status.intact),
        bool(status.valid),
        bool(status.trusted),
        coverage,
    )


# -- a test PKI --------------------------------------------------------------------------------


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> ec.EllipticCurvePrivateKey:
    # ECDSA P-256: fast to generate, load and sign with (RSA key loading alone costs ~100 ms
    # per signature in pyHanko); NSS (pdfsig), Adobe and pyHanko all validate it.
    return ec.generate_private_key(ec.SECP256R1())


def _certificate(
    *,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    is_ca: bool,
    now: dt.datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650 if is_ca else 825))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def issue_test_pki(
    root: Path,
    *,
    school_code: str,
    school_name: str,
    people: dict[str, str],
    now: dt.datetime | None = None,
) -> None:
    """Write a root CA, a seal certificate and one certificate per person under ``root``.

    ``people`` maps usernames to full names. For tests and demos only: real keys live on
    tokens. Existing files are kept, so calling it again only adds what is missing.
    """
    now = now or dt.datetime.now(dt.UTC)
    ca_dir, school_dir = root / "ca", root / school_code
    (school_dir / "people").mkdir(parents=True, exist_ok=True)
    ca_dir.mkdir(parents=True, exist_ok=True)
    ca_key_path, ca_cert_path = school_dir / "ca-key.pem", ca_dir / f"{school_code}.pem"
    if ca_key_path.is_file() and ca_cert_path.is_file():
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
            raise BadRequestError(f"{ca_key_path}: not an EC key")
    else:
        ca_key = _key()
        ca_name = _name(f"CA thử nghiệm - {school_name}", school_name)
        ca_cert = _certificate(
            subject=ca_name, key=ca_key, issuer=ca_name, issuer_key=ca_key, is_ca=True, now=now
        )
        ca_key_path.write_bytes(
            ca_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        ca_cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    wanted = {school_dir / "seal.p12": school_name} | {
        school_dir / "people" / f"{username}.p12": full_name
        for username, full_name in people.items()
    }
    for path, common_name in wanted.items():
        if path.is_file():
            continue
        key = _key()
        cert = _certificate(
            subject=_name(common_name, school_name),
            key=key,
            issuer=ca_cert.subject,
            issuer_key=ca_key,
            is_ca=False,
            now=now,
        )
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                common_name.encode(), key, cert, [ca_cert], serialization.NoEncryption()
            )
        )
