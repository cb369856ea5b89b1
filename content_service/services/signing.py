"""PAdES signing and verification of transcripts, with pluggable key providers.

A :class:`KeyProvider` hands out a pyHanko ``Signer`` for a person (homeroom teacher, principal)
or for the school's seal, and the trust roots verification accepts. :class:`FileKeyProvider`
reads PKCS#12 files (tests, demos, a school without tokens yet); :class:`Pkcs11KeyProvider`
talks to a USB token or HSM through PKCS#11, as production seal certificates (VGCA) require.
:func:`key_provider` picks one from the settings (``SIGNING_KEY_PROVIDER``).

File layout of :class:`FileKeyProvider` (``root`` is ``DATA_DIR/signing`` by default)::

    root/ca/*.pem                         trusted root certificates
    root/<school code>/seal.p12           the school's organisation (seal) certificate
    root/<school code>/people/<username>.p12   a person's certificate

:func:`issue_test_pki` writes such a tree with a fresh root CA (tests and the demo only).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import threading
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
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from content_service.errors import BadRequestError, UnprocessableError
from content_service.settings import Settings

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
        return _pem_roots(self.root / "ca")


class Pkcs11KeyProvider:
    """Keys on a PKCS#11 token (USB token or HSM), through pyHanko's PKCS#11 signer.

    Each key and its certificate carry the same label on the token: ``<school code>-<username>``
    for a person, ``<school code>-seal`` for the school's seal. One logged-in session is opened
    on first use and kept (logging in to a token is slow and some tokens count logins). A
    PKCS#11 session must not be used by two threads at once, and pyHanko signs in executor
    threads, so every use of the session holds the provider's lock. Signing uses the raw
    mechanism (pyHanko hashes, the token signs the digest): every token supports plain
    ECDSA / RSA PKCS#1, not every one the combined hash-and-sign mechanisms.
    """

    def __init__(
        self, *, lib_location: str, token_label: str, pin: str, trust_roots_dir: Path
    ) -> None:
        self.lib_location = lib_location
        self.token_label = token_label
        self.pin = pin
        self.trust_roots_dir = trust_roots_dir
        self._session: Any = None
        self._lock = threading.Lock()

    def _open(self) -> Any:
        if self._session is None:
            from pkcs11 import PKCS11Error, UserAlreadyLoggedIn
            from pyhanko.config.pkcs11 import TokenCriteria
            from pyhanko.sign.pkcs11 import open_pkcs11_session

            criteria = TokenCriteria(label=self.token_label)
            try:
                try:
                    self._session = open_pkcs11_session(
                        self.lib_location, token_criteria=criteria, user_pin=self.pin
                    )
                except UserAlreadyLoggedIn:
                    # PKCS#11 logins are per process: another session of ours is logged in.
                    self._session = open_pkcs11_session(self.lib_location, token_criteria=criteria)
            except (PKCS11Error, RuntimeError, OSError) as exc:
                raise UnprocessableError(
                    f"signing token {self.token_label!r} is not available: "
                    f"{type(exc).__name__} {exc}",
                    code="token_unavailable",
                ) from exc
        return self._session

    def _signer(self, key_label: str, what: str) -> signers.Signer:
        from pkcs11 import PKCS11Error

        with self._lock:
            session = self._open()
            signer = _LockedPkcs11Signer(
                session,
                lock=self._lock,
                key_label=key_label,
                cert_label=key_label,
                ca_chain=self.trust_roots(),
                use_raw_mechanism=True,
            )
            try:  # load key and certificate now: later, only signing touches the session
                signer._load_objects()  # type: ignore[no-untyped-call]
            except (PKCS11Error, SigningError) as exc:
                raise UnprocessableError(
                    f"{what}: no signing key {key_label!r} on token {self.token_label!r}",
                    code="no_key",
                ) from exc
        return signer

    def person_signer(self, *, school_code: str, username: str) -> signers.Signer:
        return self._signer(f"{school_code}-{username}", f"user {username}")

    def seal_signer(self, *, school_code: str) -> signers.Signer:
        return self._signer(f"{school_code}-{SEAL}", f"school {school_code} seal")

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        return _pem_roots(self.trust_roots_dir)

    def close(self) -> None:
        """Log out and close the session (the next signature opens a new one)."""
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None


class _LockedPkcs11Signer(PKCS11Signer):
    """pyHanko's PKCS#11 signer, signing only while holding its provider's lock."""

    def __init__(self, session: Any, *, lock: threading.Lock, **options: Any) -> None:
        super().__init__(session, **options)
        self._provider_lock = lock

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        await asyncio.to_thread(self._provider_lock.acquire)
        try:
            signature: bytes = await super().async_sign_raw(data, digest_algorithm, dry_run)
        finally:
            self._provider_lock.release()
        return signature


def _pem_roots(folder: Path) -> list[asn1_x509.Certificate]:
    paths = sorted(folder.glob("*.pem")) if folder.is_dir() else []
    return [_asn1_cert(x509.load_pem_x509_certificate(p.read_bytes())) for p in paths]


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def default_key_provider(data_dir: Path) -> FileKeyProvider:
    return FileKeyProvider(data_dir / "signing")


_TOKENS: dict[tuple[str, str, str, Path], Pkcs11KeyProvider] = {}


def close_key_providers() -> None:
    """Close every token session (on shutdown; the next signature opens a new one)."""
    for provider in _TOKENS.values():
        provider.close()


def key_provider(settings: Settings) -> KeyProvider:
    """The provider ``SIGNING_KEY_PROVIDER`` selects: ``file`` (default) or ``pkcs11``.

    PKCS#11 providers are kept per token for the life of the process, so that the logged-in
    session is reused. Trust roots come from ``SIGNING_TRUST_ROOTS`` (default
    ``DATA_DIR/signing/ca``).
    """
    roots = settings.SIGNING_TRUST_ROOTS or settings.DATA_DIR / "signing" / "ca"
    if settings.SIGNING_KEY_PROVIDER == "file":
        return default_key_provider(settings.DATA_DIR)
    key = (
        settings.SIGNING_PKCS11_LIB,
        settings.SIGNING_PKCS11_TOKEN,
        settings.SIGNING_PKCS11_PIN,
        roots,
    )
    if key not in _TOKENS:
        _TOKENS[key] = Pkcs11KeyProvider(
            lib_location=key[0], token_label=key[1], pin=key[2], trust_roots_dir=roots
        )
    return _TOKENS[key]


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
