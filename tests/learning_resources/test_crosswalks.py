import dataclasses
import json

import pytest
from lxml import etree

from learning_resources.crosswalks import (
    DC_NAMESPACE,
    LOM_NAMESPACE,
    OAI_DC_NAMESPACE,
    to_lom,
    to_lrmi_jsonld,
    to_oai_dc,
)
from learning_resources.resources import Content, ContentKind, DublinCore, Educational

BASE = "https://hoc-lieu.hcm.edu.vn"
DC = f"{{{DC_NAMESPACE}}}"
LOM = {"lom": LOM_NAMESPACE}


def dc_values(element):
    values = {}
    for child in element:
        values.setdefault(etree.QName(child).localname, []).append(child.text)
    return values


def test_oai_dc_is_valid_and_complete(published_resource, assert_valid_oai_dc):
    element = to_oai_dc(published_resource, base_url=BASE)
    assert_valid_oai_dc(element)
    assert element.tag == f"{{{OAI_DC_NAMESPACE}}}dc"
    values = dc_values(element)
    assert values["title"] == ["Hàm số bậc hai và đồ thị"]
    assert values["creator"] == ["Nguyễn Thị Hương"]
    assert values["subject"] == ["Toán", "parabol", "hàm số bậc hai"]
    assert values["date"] == ["2026-02-20", "2026-03-02"]
    assert values["type"] == ["Text", "presentation", "exercise"]
    assert values["format"] == ["application/pdf"]
    assert values["identifier"] == [f"{BASE}/resources/res-0000000000000000000000000a"]
    assert values["language"] == ["vi"]
    assert values["rights"] == [
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "© Sở Giáo dục và Đào tạo TP.HCM",
    ]
    title = element.find(f"{DC}title")
    assert title.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"


def test_oai_dc_of_a_minimal_link(resource, assert_valid_oai_dc):
    minimal = dataclasses.replace(
        resource,
        dc=DublinCore(
            title="Bản đồ hành chính Việt Nam",
            alternative_title="Vietnam map",
            source="Atlat Địa lí Việt Nam",
            relations=("https://x.vn/a",),
            coverage="Việt Nam",
        ),
        education=Educational(grades=(9,), subjects=("dia_li",)),
        content=Content(ContentKind.LINK, url="https://example.org/ban-do"),
    )
    element = to_oai_dc(minimal, base_url=BASE + "/")
    assert_valid_oai_dc(element)
    values = dc_values(element)
    assert values["title"] == ["Bản đồ hành chính Việt Nam", "Vietnam map"]
    assert values["identifier"][1] == "https://example.org/ban-do"
    assert values["format"] == ["text/html"]
    assert {"source", "relation", "coverage"} <= values.keys()
    assert "description" not in values
    assert "creator" not in values
    assert "date" not in values


def test_schema_check_rejects_foreign_elements(published_resource, oai_dc_schema):
    element = to_oai_dc(published_resource, base_url=BASE)
    etree.SubElement(element, "{http://purl.org/dc/terms/}audience").text = "học sinh"
    assert not oai_dc_schema.validate(element)


def test_lrmi_json_ld(published_resource):
    document = to_lrmi_jsonld(published_resource, base_url=BASE)
    json.dumps(document)  # serialisable
    assert document["@context"] == "https://schema.org/"
    assert document["@type"] == "LearningResource"
    assert document["educationalLevel"] == [
        {
            "@type": "DefinedTerm",
            "name": "Lớp 10",
            "termCode": "10",
            "inDefinedTermSet": "Chương trình GDPT 2018",
        },
    ]
    subject, teaches, assesses = document["educationalAlignment"]
    assert subject["alignmentType"] == "educationalSubject"
    assert subject["targetName"] == "Toán"
    assert teaches == {
        "@type": "AlignmentObject",
        "alignmentType": "teaches",
        "educationalFramework": "Chương trình GDPT 2018",
        "targetName": "Vẽ được đồ thị hàm số bậc hai",
        "identifier": "TOAN.10.DS.3.2",
    }
    assert assesses["targetUrl"].startswith("https://")
    assert document["teaches"] == ["Vẽ được đồ thị hàm số bậc hai"]
    assert document["assesses"] == ["Nhận biết được tính chất cơ bản của parabol"]
    assert document["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert document["typicalAgeRange"] == "15-16"
    assert document["timeRequired"] == "PT45M"
    assert document["interactivityType"] == "expositive"
    assert document["learningResourceType"] == ["presentation", "exercise"]
    assert document["educationalUse"] == ["instruction"]
    assert document["inLanguage"] == "vi"
    assert document["datePublished"] == "2026-03-02T08:30:00+00:00"
    assert document["publisher"]["name"] == "Trường THPT Nguyễn Thượng Hiền"
    assert document["isPartOf"] == [f"{BASE}/collections/col-toan-10"]
    assert document["url"] == document["@id"]


def test_lrmi_of_a_link_omits_empty_optional_fields(resource):
    link = dataclasses.replace(
        resource,
        dc=DublinCore(title="Mô phỏng con lắc đơn"),
        education=Educational(grades=(11,), subjects=("vat_li",)),
        content=Content(
            ContentKind.LINK, url="https://phet.colorado.edu/vi/simulations/pendulum-lab"
        ),
    )
    document = to_lrmi_jsonld(link, base_url=BASE)
    assert document["url"] == "https://phet.colorado.edu/vi/simulations/pendulum-lab"
    for absent in (
        "publisher",
        "datePublished",
        "timeRequired",
        "teaches",
        "assesses",
        "dateCreated",
    ):
        assert absent not in document
    assert document["typicalAgeRange"] == "16-17"


def test_lom_has_the_categories_in_order(published_resource):
    element = etree.fromstring(etree.tostring(to_lom(published_resource, base_url=BASE)))
    assert element.tag == f"{{{LOM_NAMESPACE}}}lom"
    categories = [etree.QName(child).localname for child in element]
    assert categories == [
        "general",
        "lifeCycle",
        "metaMetadata",
        "technical",
        "educational",
        "rights",
        "relation",
        "classification",
        "classification",
        "classification",
    ]

    def text(path):
        return element.xpath(path, namespaces=LOM)

    assert text("lom:general/lom:title/lom:string/text()") == ["Hàm số bậc hai và đồ thị"]
    assert text("lom:general/lom:title/lom:string/@language") == ["vi"]
    assert text("lom:lifeCycle/lom:status/lom:value/text()") == ["final"]
    assert text("lom:lifeCycle/lom:contribute/lom:role/lom:value/text()") == ["author", "publisher"]
    assert "FN:Nguyễn Thị Hương" in text("lom:lifeCycle/lom:contribute/lom:entity/text()")[0]
    assert text("lom:technical/lom:size/text()") == [str(published_resource.content.files[0].size)]
    assert text("lom:educational/lom:learningResourceType/lom:value/text()") == [
        "slide",
        "exercise",
    ]
    assert text("lom:educational/lom:typicalLearningTime/lom:duration/text()") == ["PT45M"]
    assert text("lom:rights/lom:description/lom:string/text()")[0].startswith(
        "Creative Commons Attribution-ShareAlike 4.0"
    )
    assert text("lom:classification/lom:purpose/lom:value/text()") == [
        "discipline",
        "educational level",
        "competency",
    ]
    assert text("lom:classification/lom:taxonPath/lom:taxon/lom:id/text()") == [
        "toan",
        "10",
        "TOAN.10.DS.3.2",
        "TOAN.10.DS.3.3",
    ]


@pytest.mark.parametrize("name", ["Trường A, B; C\\D"])
def test_lom_escapes_vcard_text(resource, name):
    draft = dataclasses.replace(
        resource,
        dc=dataclasses.replace(resource.dc, creators=(name,), publisher=None, created=None),
        education=dataclasses.replace(
            resource.education, alignments=(), interactivity_type=None, time_required=None
        ),
        collections=(),
    )
    element = to_lom(draft, base_url=BASE)
    entity = element.xpath("//lom:entity/text()", namespaces=LOM)
    assert entity == [
        "BEGIN:VCARD\nVERSION:3.0\nFN:Trường A\\, B\\; C\\\\D\nN:Trường A\\, B\\; C\\\\D\nEND:VCARD"
    ]
    assert element.xpath("lom:lifeCycle/lom:status/lom:value/text()", namespaces=LOM) == ["draft"]
    purposes = element.xpath("lom:classification/lom:purpose/lom:value/text()", namespaces=LOM)
    assert purposes == ["discipline", "educational level"]
    assert not element.xpath("lom:relation", namespaces=LOM)


def test_lom_and_lrmi_of_a_sparse_link_with_coverage(resource):
    from learning_resources.resources import Alignment

    link = dataclasses.replace(
        resource,
        dc=DublinCore(title="Bản đồ số Thành phố Hồ Chí Minh", coverage="TP. Hồ Chí Minh"),
        education=Educational(
            grades=(9,),
            subjects=("lich_su_va_dia_li",),
            alignments=(
                Alignment(
                    "LSDL.9.DP.1",
                    "Trình bày được đặc điểm địa lí địa phương",
                    target_description="Nội dung giáo dục địa phương lớp 9",
                ),
            ),
        ),
        content=Content(ContentKind.LINK, url="https://bando.tphcm.gov.vn"),
    )
    lom = to_lom(link, base_url=BASE)
    assert lom.xpath("lom:general/lom:coverage/lom:string/text()", namespaces=LOM) == [
        "TP. Hồ Chí Minh"
    ]
    assert not lom.xpath("lom:general/lom:description", namespaces=LOM)
    assert not lom.xpath("lom:technical/lom:size", namespaces=LOM)
    assert lom.xpath("lom:technical/lom:location/text()", namespaces=LOM) == [
        "https://bando.tphcm.gov.vn"
    ]
    lrmi = to_lrmi_jsonld(link, base_url=BASE)
    assert lrmi["spatialCoverage"] == "TP. Hồ Chí Minh"
    alignment = lrmi["educationalAlignment"][1]
    assert alignment["targetDescription"] == "Nội dung giáo dục địa phương lớp 9"
    assert "targetUrl" not in alignment


def test_lom_of_an_ungraded_draft_omits_age_and_level(resource):
    # Crosswalks also run on drafts (previews), which may still lack grades.
    draft = dataclasses.replace(resource, education=Educational(grades=(), subjects=("toan",)))
    lom = to_lom(draft, base_url=BASE)
    assert not lom.xpath("lom:educational/lom:typicalAgeRange", namespaces=LOM)
    purposes = lom.xpath("lom:classification/lom:purpose/lom:value/text()", namespaces=LOM)
    assert purposes == ["discipline"]
