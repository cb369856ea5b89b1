"""Builders for learning-resource tests (plain functions exposed as fixtures)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from learning_resources.resources import (
    Alignment,
    Content,
    ContentKind,
    DublinCore,
    Educational,
    LearningResource,
    ResourceFile,
    ResourceState,
)

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
PDF_BYTES = b"%PDF-1.7\n% bai giang ham so bac hai\n%%EOF\n"


def pdf_file(path: str = "ham-so-bac-hai.pdf", data: bytes = PDF_BYTES) -> ResourceFile:
    """A PDF file entry whose hash matches ``data``."""
    return ResourceFile(path, "application/pdf", len(data), hashlib.sha256(data).hexdigest())


def make_resource(**overrides: Any) -> LearningResource:
    """A valid draft PDF resource for grade 10 mathematics; override any field."""
    fields: dict[str, Any] = {
        "identifier": "res-0000000000000000000000000a",
        "version": 1,
        "dc": DublinCore(
            title="Hàm số bậc hai và đồ thị",
            description="Bài giảng về đồ thị hàm số bậc hai, đỉnh và trục đối xứng của parabol.",
            creators=("Nguyễn Thị Hương",),
            contributors=("Trần Văn Đức",),
            publisher="Trường THPT Nguyễn Thượng Hiền",
            keywords=("parabol", "hàm số bậc hai"),
            created=date(2026, 2, 20),
            rights_holder="Sở Giáo dục và Đào tạo TP.HCM",
        ),
        "education": Educational(
            grades=(10,),
            subjects=("toan",),
            alignments=(
                Alignment(
                    target_code="TOAN.10.DS.3.2",
                    target_name="Vẽ được đồ thị hàm số bậc hai",
                ),
                Alignment(
                    target_code="TOAN.10.DS.3.3",
                    target_name="Nhận biết được tính chất cơ bản của parabol",
                    alignment_type="assesses",
                    target_url="https://moet.gov.vn/chuong-trinh-gdpt-2018/toan",
                ),
            ),
            resource_types=("presentation", "exercise"),
            time_required="PT45M",
            educational_uses=("instruction",),
            interactivity_type="expositive",
        ),
        "content": Content(ContentKind.PDF, files=(pdf_file(),)),
        "licence": "CC-BY-SA-4.0",
        "modified": T0,
        "school": "thpt-nth",
        "collections": ("col-toan-10",),
    }
    fields.update(overrides)
    return LearningResource(**fields)


def published(resource: LearningResource, at: datetime = T0) -> LearningResource:
    """The resource moved through the workflow to ``published``."""
    from learning_resources.workflow import publish, start_review, submit

    submitted = submit(resource, at=at, actor="author")
    return publish(start_review(submitted, at=at, actor="reviewer"), at=at, actor="reviewer")


@pytest.fixture
def resource_builder() -> Callable[..., LearningResource]:
    return make_resource


@pytest.fixture
def pdf_bytes() -> bytes:
    """The bytes behind the builder's PDF file entry."""
    return PDF_BYTES


@pytest.fixture
def publish_resource() -> Callable[..., LearningResource]:
    return published


@pytest.fixture
def resource() -> LearningResource:
    return make_resource()


@pytest.fixture
def published_resource() -> LearningResource:
    resource = published(make_resource())
    assert resource.state is ResourceState.PUBLISHED
    return resource


SCHEMAS = Path(__file__).resolve().parent / "schemas"


@pytest.fixture(scope="session")
def oai_dc_schema() -> etree.XMLSchema:
    """The oai_dc schema from local copies; the parser refuses network access."""
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai_dc.xsd"), parser))


@pytest.fixture(scope="session")
def oai_pmh_schema() -> etree.XMLSchema:
    """The OAI-PMH 2.0 response schema (local copy, lax descriptions; see the file's comment)."""
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "OAI-PMH.xsd"), parser))


@pytest.fixture
def assert_valid_oai_dc(oai_dc_schema: etree.XMLSchema) -> Callable[[etree._Element], None]:
    """Serialise, re-parse (well-formedness) and validate against the oai_dc schema."""

    def check(element: etree._Element) -> None:
        reparsed = etree.fromstring(etree.tostring(element))
        assert oai_dc_schema.validate(reparsed), oai_dc_schema.error_log

    return check
