"""Images of items in the printed forms: drawn where the text puts them, a placeholder when the
file cannot be printed, never a failed download."""

from __future__ import annotations

import io
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from content_service.models.people import Role
from content_service.pdf_forms import MediaRef, split_media
from tests.content_service.items.factories import choice_item, publish
from tests.factories import bearer, create_school, create_user

TOPIC = "Hình học phẳng"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">'  # no viewBox: fpdf2 warns
    b'<polygon points="10,70 60,10 110,70" fill="none" stroke="black" stroke-width="2"/></svg>'
)


@pytest.fixture
def people(client: TestClient, db: Engine) -> dict[str, dict[str, str]]:
    school = create_school(db)
    author = create_user(db, role=Role.TEACHER, school=school)
    reviewer = create_user(db, role=Role.TEACHER, school=school)
    return {"author": bearer(client, author), "reviewer": bearer(client, reviewer)}


def _image(fmt: str, size: tuple[int, int], colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def _upload(client: TestClient, headers: dict[str, str], name: str, data: bytes) -> dict[str, Any]:
    response = client.post("/item-assets", files={"file": (name, data)}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _print(client: TestClient, people: dict[str, dict[str, str]], item: dict[str, Any]) -> bytes:
    publish(client, people["author"], people["reviewer"], item)
    cell = {"cognitive_level": "nhan_biet", "count": 1, "topic": TOPIC, "points": 1}
    request = {"title": "Kiểm tra hình học", "blueprint": {"subject": "Toán", "cells": [cell]}}
    assembled = client.post("/assembly/forms", json=request, headers=people["author"])
    assert assembled.status_code == 201, assembled.text
    form_id = assembled.json()["id"]
    response = client.get(f"/assembly/forms/{form_id}.pdf", headers=people["author"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def _images(pdf: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    """(width, height) in pixels of every image XObject, per ``pdfimages -list``."""
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return [(int(row[3]), int(row[4])) for row in rows if row[2] == "image"]


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _metadata() -> dict[str, Any]:
    return {"subject": "Toán", "grade": 7, "topic": TOPIC, "cognitive_level": "nhan_biet"}


def test_printed_form_draws_stem_and_option_images_in_place(
    client: TestClient, people, tmp_path: Path
) -> None:
    figure = _upload(client, people["author"], "tam-giac.png", _image("PNG", (300, 200), "red"))
    option = _upload(client, people["author"], "hinh-a.jpg", _image("JPEG", (40, 30), "blue"))
    svg = _upload(client, people["author"], "hinh-b.svg", SVG)
    clip = _upload(client, people["author"], "de-bai.mp3", b"ID3\x03\x00" + b"\x00" * 200)
    item = choice_item(
        "toan7-hh-anh",
        stem=(
            f"Quan sát tam giác ABC trong hình.\n\n![Tam giác ABC]({figure['url']})\n\n"
            f"Nghe đoạn ghi âm: ![Lời đọc đề]({clip['url']})\n\nHình nào là tam giác đều?"
        ),
        choices=[
            {"identifier": "A", "text": f"![Hình A]({option['url']})"},
            {"identifier": "B", "text": f'Hình B <img src="{svg["url"]}" alt="Hình B">'},
            {"identifier": "C", "text": "Cả hai hình"},
        ],
        correct=["A"],
        shuffle=False,
        metadata=_metadata(),
    )
    pdf = _print(client, people, item)

    images = _images(pdf, tmp_path)
    assert (300, 200) in images  # the stem's figure, as stored
    assert (40, 30) in images  # the option's picture
    assert len(images) == 2  # the SVG is drawn as vector paths, the clip as a line of text
    text = _text(pdf, tmp_path)
    assert "Quan sát tam giác ABC trong hình." in text
    assert "Hình nào là tam giác đều?" in text
    assert "[âm thanh/video: Lời đọc đề]" in text
    assert "[hình" not in text  # every image printed
    assert "/item-assets/" not in text
    # reading order: the stem text, then its clip line, then the question, then the options
    order = [
        text.index("Quan sát tam giác ABC"),
        text.index("[âm thanh/video: Lời đọc đề]"),
        text.index("Hình nào là tam giác đều?"),
        text.index("A."),
        text.index("B. Hình B"),
        text.index("C. Cả hai hình"),
    ]
    assert order == sorted(order)


def test_missing_image_file_prints_placeholder_and_logs(
    client: TestClient, people, settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    figure = _upload(client, people["author"], "so-do.png", _image("PNG", (120, 90), "green"))
    item = choice_item(
        "toan7-hh-mat-anh",
        stem=f"Dựa vào sơ đồ ![Sơ đồ lớp học]({figure['url']}) hãy chọn đáp án đúng.",
        metadata=_metadata(),
    )
    stored = settings.DATA_DIR / "item-assets" / figure["sha256"][:2] / figure["sha256"]
    assert stored.is_file()
    stored.unlink()  # lost on disk after the item was written

    with caplog.at_level(logging.WARNING, logger="content_service.pdf_forms"):
        pdf = _print(client, people, item)

    assert _images(pdf, tmp_path) == []
    text = _text(pdf, tmp_path)
    assert "Dựa vào sơ đồ" in text
    assert "[hình: Sơ đồ lớp học]" in text
    assert "hãy chọn đáp án đúng." in text
    assert any("missing on disk" in r.getMessage() for r in caplog.records)


def test_split_media_finds_markdown_and_html_files_in_order() -> None:
    sha = "ab" * 32
    parts = split_media(
        f'Trước ![Hình 1](/item-assets/{sha} "chú thích") giữa <img alt="Hình 2" src="/x.png">'
        f'<audio controls><source src="/item-assets/{sha}"></audio> sau'
    )
    assert parts == [
        "Trước ",
        MediaRef(f"/item-assets/{sha}", "Hình 1", "image"),
        " giữa ",
        MediaRef("/x.png", "Hình 2", "img"),
        MediaRef(f"/item-assets/{sha}", "", "source"),
        "</audio> sau",
    ]
    assert split_media("") == []
