"""OAI-PMH with a client nobody here wrote (Sickle), and our harvester against a live instance."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.db import make_engine
from content_service.jobs import run_until_empty
from content_service.main import create_app
from content_service.migrations_runner import alembic_config
from content_service.models.resources import HarvestSourceRecord, ResourceRecord
from content_service.services.search import SearchQuery, backend_for
from content_service.settings import Settings
from tests.content_service.resources.builders import publish, staff
from tests.content_service.resources.conftest import isolated
from tests.content_service.resources.live_server import serve
from tests.factories import create_school

with warnings.catch_warnings():
    # Sickle 0.7 has regexes with invalid escapes: a SyntaxWarning when first compiled.
    warnings.simplefilter("ignore", SyntaxWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from sickle import Sickle
    from sickle.oaiexceptions import BadArgument, CannotDisseminateFormat, IdDoesNotExist

TITLES = [
    "Hàm số bậc hai và đồ thị",
    "Dao động điều hòa",
    "Chiến thắng Điện Biên Phủ",
    "Quang hợp ở thực vật",
    "Lập trình Python cơ bản",
]


def _repository(api: TestClient, db: Engine) -> tuple[list[str], dict[str, str]]:
    school = create_school(db)
    author, reviewer = staff(api, db, school)
    ids = [
        publish(api, author, reviewer, title=title, grades=[10 + i % 2])
        for i, title in enumerate(TITLES)
    ]
    gone = api.post(f"/resources/{ids[0]}/withdraw", json={"reason": "Trùng lặp"}, headers=reviewer)
    assert gone.status_code == 200
    publish(api, author, reviewer, title="Tài liệu nội bộ", visibility="school")
    return ids, reviewer


def test_sickle_harvests_everything_with_paging_and_deletions(
    api: TestClient, db: Engine, app_settings: Settings
) -> None:
    ids, _ = _repository(api, db)
    app = create_app(app_settings)
    app.state.oai_page_size = 2  # five public records: three pages
    with serve(app) as base:
        for method in ("GET", "POST"):
            sickle = Sickle(f"{base}/oai", http_method=method, max_retries=0)
            identify = sickle.Identify()
            assert identify.deletedRecord == "persistent"
            assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
            records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
            local = {r.header.identifier.rsplit(":", 1)[1]: r for r in records}
            assert set(local) == set(ids)  # the school-only resource is not exposed
            assert local[ids[0]].header.deleted
            assert not local[ids[1]].header.deleted
            assert local[ids[1]].metadata["title"] == ["Dao động điều hòa"]
            headers = list(sickle.ListIdentifiers(metadataPrefix="lom", ignore_deleted=False))
            assert len(headers) == 5
        formats = [f.metadataPrefix for f in sickle.ListMetadataFormats()]
        assert {"oai_dc", "lom"} <= set(formats)
        specs = {s.setSpec for s in sickle.ListSets()}
        assert {"grade:10", "subject:toan"} <= specs
        grade_11 = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="grade:11"))
        assert {h.identifier.rsplit(":", 1)[1] for h in grade_11} == {ids[1], ids[3]}
        one = sickle.GetRecord(identifier=local[ids[2]].header.identifier, metadataPrefix="lom")
        assert "Điện Biên Phủ" in etree.tostring(one.xml, encoding="unicode")
        with pytest.raises(IdDoesNotExist):
            sickle.GetRecord(identifier="oai:hoclieu.edu.vn:res-khong-co", metadataPrefix="oai_dc")
        with pytest.raises(CannotDisseminateFormat):
            sickle.GetRecord(identifier=local[ids[2]].header.identifier, metadataPrefix="marc")
        with pytest.raises(BadArgument):
            sickle.ListRecords(metadataPrefix="oai_dc", until="hôm qua")


@pytest.fixture
def second_instance(tmp_path: Path, app_settings: Settings) -> Settings:
    """Another library's service: its own SQLite database and the embedded search fallback."""
    other = isolated(app_settings, DATA_DIR=tmp_path / "thu-vien-2", DATABASE_URL="", MEILI_URL="")
    command.upgrade(alembic_config(other), "heads")
    return other


def test_harvester_imports_from_a_live_instance(
    api: TestClient, db: Engine, app_settings: Settings, second_instance: Settings
) -> None:
    ids, reviewer = _repository(api, db)
    other_engine = make_engine(second_instance)
    try:
        with serve(create_app(app_settings)) as base:
            with Session(other_engine) as session:
                source = HarvestSourceRecord(base_url=f"{base}/oai", name="THPT Lê Quý Đôn")
                session.add(source)
                session.commit()
                session.refresh(source)
            from content_service.services.harvest import harvest

            result = harvest(other_engine, source.id)
            # The record withdrawn before the first harvest is a deletion of nothing we hold.
            assert result == {"imported": 4, "withdrawn": 0}
            run_until_empty(second_instance, engine=other_engine)
            search = backend_for(second_instance)
            hits = search.search(SearchQuery(q="dao dong dieu hoa")).hits
            assert [h.document["title"] for h in hits] == ["Dao động điều hòa"]

            # Incremental: a withdrawal upstream withdraws the copy and leaves the index.
            assert (
                api.post(
                    f"/resources/{ids[1]}/withdraw", json={"reason": "Lỗi"}, headers=reviewer
                ).status_code
                == 200
            )
            second = harvest(other_engine, source.id)
            assert second["withdrawn"] == 1
            run_until_empty(second_instance, engine=other_engine)
            assert search.search(SearchQuery(q="dao dong dieu hoa")).hits == []
            with Session(other_engine) as session:
                copies = session.exec(select(ResourceRecord)).all()
                assert {c.origin for c in copies} == {f"{base}/oai"}
                assert sum(c.status == "published" for c in copies) == 3
    finally:
        backend_for(second_instance).drop()
        other_engine.dispose()


def test_repository_identifier_domain_comes_from_the_settings(
    app_settings: Settings, db: Engine
) -> None:
    own = app_settings.model_copy(update={"OAI_REPOSITORY_DOMAIN": "kho.quan1.edu.vn"})
    with TestClient(create_app(own), base_url="http://127.0.0.1") as client:
        ids, _ = _repository(client, db)
        with serve(create_app(own)) as base:
            sickle = Sickle(f"{base}/oai", max_retries=0)
            assert sickle.Identify().repositoryIdentifier == "kho.quan1.edu.vn"
            headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False))
            assert {h.identifier for h in headers} == {f"oai:kho.quan1.edu.vn:{i}" for i in ids}
            record = sickle.GetRecord(
                identifier=f"oai:kho.quan1.edu.vn:{ids[1]}", metadataPrefix="oai_dc"
            )
            assert record.metadata["title"] == ["Dao động điều hòa"]
            with pytest.raises(IdDoesNotExist):
                sickle.GetRecord(identifier=f"oai:hoclieu.edu.vn:{ids[1]}", metadataPrefix="oai_dc")
