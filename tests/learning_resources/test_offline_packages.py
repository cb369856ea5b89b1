import hashlib
import io
import json
import zipfile

import pytest
from lxml import etree

from learning_resources.collections_tree import Collection
from learning_resources.errors import PackageError
from learning_resources.packages import IMSCP_NAMESPACE, build_package
from learning_resources.resources import Content, ContentKind, ResourceFile

BASE = "https://hoc-lieu.hcm.edu.vn"
CP = {"cp": IMSCP_NAMESPACE}
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
CSV = "năm,dân số\n2020,9227598\n".encode()


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def course(resource_builder, publish_resource, pdf_bytes):
    pdf = publish_resource(resource_builder(identifier="res-pdf"))
    notebook = publish_resource(
        resource_builder(
            identifier="res-notebook",
            content=Content(
                ContentKind.NOTEBOOK,
                files=(
                    ResourceFile("du-lieu/dan-so.csv", "text/csv", len(CSV), sha(CSV)),
                    ResourceFile(
                        "bai-1.ipynb", "application/x-ipynb+json", len(NOTEBOOK), sha(NOTEBOOK)
                    ),
                ),
                entry_point="bai-1.ipynb",
            ),
        )
    )
    link = publish_resource(
        resource_builder(
            identifier="res-link",
            content=Content(ContentKind.LINK, url="https://vi.wikipedia.org/wiki/Parabol"),
        )
    )
    collections = [
        Collection("col-toan-10", "Toán 10", ("res-pdf",)),
        Collection(
            "col-chuong-3", "Hàm số bậc hai", ("res-notebook", "res-link"), parent="col-toan-10"
        ),
        Collection("col-other", "Ngữ văn 10", ("res-missing",)),
    ]
    blobs = {sha(data): data for data in (NOTEBOOK, CSV, pdf_bytes)}
    return collections, [pdf, notebook, link], blobs


def test_package_contents(course):
    collections, resources, blobs = course
    data = build_package("col-toan-10", collections, resources, blobs, base_url=BASE)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == sorted(archive.namelist())
    assert set(archive.namelist()) == {
        "imsmanifest.xml",
        "metadata.json",
        "resources/res-pdf/ham-so-bac-hai.pdf",
        "resources/res-pdf/lrmi.jsonld",
        "resources/res-notebook/bai-1.ipynb",
        "resources/res-notebook/du-lieu/dan-so.csv",
        "resources/res-notebook/lrmi.jsonld",
        "resources/res-link/lrmi.jsonld",
    }
    assert archive.read("resources/res-notebook/du-lieu/dan-so.csv") == CSV
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["format_version"] == 1
    assert [c["identifier"] for c in metadata["collections"]] == ["col-toan-10", "col-chuong-3"]
    assert [r["identifier"] for r in metadata["resources"]] == [
        "res-pdf",
        "res-notebook",
        "res-link",
    ]
    assert metadata["resources"][1]["files"][0]["path"] == "resources/res-notebook/bai-1.ipynb"
    lrmi = json.loads(archive.read("resources/res-link/lrmi.jsonld"))
    assert lrmi["url"] == "https://vi.wikipedia.org/wiki/Parabol"
    assert "Hàm số bậc hai" in archive.read("metadata.json").decode("utf-8")


def test_manifest_structure(course):
    collections, resources, blobs = course
    data = build_package("col-toan-10", collections, resources, blobs, base_url=BASE)
    manifest = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("imsmanifest.xml"))
    assert manifest.tag == f"{{{IMSCP_NAMESPACE}}}manifest"
    assert manifest.xpath("cp:metadata/cp:schemaversion/text()", namespaces=CP) == ["1.2"]
    organization = manifest.xpath("cp:organizations/cp:organization", namespaces=CP)[0]
    assert manifest.find("cp:organizations", CP).get("default") == organization.get("identifier")
    refs = organization.xpath(".//cp:item/@identifierref", namespaces=CP)
    assert refs == ["RES-res-pdf", "RES-res-notebook", "RES-res-link"]
    assert organization.xpath("cp:item/cp:title/text()", namespaces=CP) == ["Hàm số bậc hai"]
    resources = manifest.xpath("cp:resources/cp:resource", namespaces=CP)
    assert {r.get("identifier") for r in resources} == set(refs)
    hrefs = {r.get("identifier"): r.get("href") for r in resources}
    assert hrefs["RES-res-notebook"] == "resources/res-notebook/bai-1.ipynb"
    assert hrefs["RES-res-link"] == "https://vi.wikipedia.org/wiki/Parabol"
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    for href in manifest.xpath("//cp:file/@href", namespaces=CP):
        assert href in names
    assert len(manifest.xpath("//*[local-name()='lom']")) == 3


def test_same_collection_gives_the_same_bytes(course):
    collections, resources, blobs = course
    first = build_package("col-toan-10", collections, resources, blobs, base_url=BASE)
    second = build_package(
        "col-toan-10", list(collections), list(resources), dict(blobs), base_url=BASE
    )
    assert first == second
    info = zipfile.ZipFile(io.BytesIO(first)).infolist()[0]
    assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_sub_collection_package_contains_only_its_resources(course):
    collections, resources, blobs = course
    data = build_package("col-chuong-3", collections, resources, blobs, base_url=BASE)
    metadata = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("metadata.json"))
    assert [r["identifier"] for r in metadata["resources"]] == ["res-notebook", "res-link"]


def test_package_errors(course, resource_builder):
    collections, resources, blobs = course
    with pytest.raises(PackageError, match="res-missing"):
        build_package("col-other", collections, resources, blobs, base_url=BASE)
    draft = [resource_builder(identifier="res-pdf"), *resources[1:]]
    with pytest.raises(PackageError, match="not published"):
        build_package("col-toan-10", collections, draft, blobs, base_url=BASE)
    missing = {k: v for k, v in blobs.items() if v != CSV}
    with pytest.raises(PackageError, match="no bytes"):
        build_package("col-toan-10", collections, resources, missing, base_url=BASE)
    corrupt = {**blobs, sha(CSV): b"khac"}
    with pytest.raises(PackageError, match="do not match"):
        build_package("col-toan-10", collections, resources, corrupt, base_url=BASE)
