"""Transcript render and sign timings (targets: render <= 300 ms, each signature <= 300 ms).

Run: ``uv run python bench/bench_transcript.py``. Uses a throw-away test PKI, a full
12-subject TT22 year record and an 11-subject TT27 (primary) record with comments; prints the
median wall and CPU time of several runs after one warm-up, and the load average.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from content_service.services.signing import (
    FileKeyProvider,
    SigningStep,
    issue_test_pki,
    sign_in_sequence,
    verify_pdf,
)
from content_service.transcript_pdf import render_transcript

RUNS = 7
SCORED = [
    "Toán",
    "Ngữ văn",
    "Ngoại ngữ 1",
    "Lịch sử",
    "Giáo dục kinh tế và pháp luật",
    "Vật lí",
    "Hóa học",
    "Sinh học",
    "Tin học",
]
COMMENT = [
    "Giáo dục thể chất",
    "Nội dung giáo dục của địa phương",
    "Hoạt động trải nghiệm, hướng nghiệp",
]


def record() -> dict[str, object]:
    subjects = [
        {"subject": s, "semester_1": "7.6", "semester_2": "8.3", "year": "8.1", "missing": []}
        for s in SCORED
    ] + [
        {"subject": s, "semester_1": "Đạt", "semester_2": "Đạt", "year": "Đạt", "missing": []}
        for s in COMMENT
    ]
    return {
        "number": "HB-79000001-2026-2027-BENCH",
        "school": {
            "code": "79000001",
            "name": "Trường THPT Lê Quý Đôn",
            "province": "TP. Hồ Chí Minh",
        },
        "class": {"name": "10A1", "grade": 10, "school_year": "2026-2027"},
        "student": {"full_name": "Nguyễn Thị Ánh Tuyết", "username": "hs.10a1.01"},
        "subjects": subjects,
        "learning": {"semester_1": "Khá", "semester_2": "Tốt", "year": "Tốt", "adjusted_for": None},
        "conduct": {"semester_1": "Tốt", "semester_2": "Tốt", "year": "Tốt"},
        "absent_days": 2,
        "promotion": {"status": "Được lên lớp", "retest_subjects": [], "reasons": []},
        "award": "Học sinh Giỏi",
        "rule_id": "VN-TT22-2021",
        "issued_on": "31/05/2027",
        "homeroom_teacher": "Trần Văn Bình",
        "principal": "Lê Thị Cúc",
    }


def primary_record() -> dict[str, object]:
    """A grade-5 TT27 record: ratings, tests, a comment per subject, 15 qualities/competencies."""
    comment = "Em nắm vững kiến thức, trình bày bài cẩn thận; cần mạnh dạn phát biểu hơn."
    period = {"mid": "Hoàn thành tốt", "end": "Hoàn thành tốt", "mid_test": None}
    names = ["Tiếng Việt", "Toán", "Ngoại ngữ 1", "Lịch sử và Địa lí", "Khoa học"]
    names += ["Tin học và Công nghệ", "Đạo đức", "Âm nhạc", "Mĩ thuật", "Giáo dục thể chất"]
    names += ["Hoạt động trải nghiệm"]
    subjects = [
        {
            "subject": s,
            "semester_1": period | {"end_test": "9", "comment": comment},
            "semester_2": period | {"end_test": "10", "comment": comment},
            "rating": "Hoàn thành tốt",
            "test_score": "10" if i < 6 else None,
            "comment": comment,
        }
        for i, s in enumerate(names)
    ]
    traits = [
        {"code": f"t{i}", "name": n, "group": g, "semester_1": "Tốt", "year": "Tốt"}
        for i, (n, g) in enumerate(
            [(n, "quality") for n in ("Yêu nước", "Nhân ái", "Chăm chỉ", "Trung thực")]
            + [("Trách nhiệm", "quality"), ("Tự chủ và tự học", "general")]
            + [("Giao tiếp và hợp tác", "general"), ("Giải quyết vấn đề và sáng tạo", "general")]
            + [(n, "specific") for n in ("Ngôn ngữ", "Tính toán", "Khoa học", "Công nghệ")]
            + [(n, "specific") for n in ("Tin học", "Thẩm mĩ", "Thể chất")]
        )
    ]
    base = record()
    return base | {
        "level": "primary",
        "class": {"name": "5A", "grade": 5, "school_year": "2026-2027"},
        "subjects": subjects,
        "traits": traits,
        "traits_comment": comment,
        "result": "Hoàn thành xuất sắc",
        "completion": "Hoàn thành chương trình tiểu học",
        "award": "Học sinh Xuất sắc",
        "rule_id": "VN-TT27-2020",
    }


def main() -> None:
    root = Path(tempfile.mkdtemp())
    issue_test_pki(
        root,
        school_code="79000001",
        school_name="Trường THPT Lê Quý Đôn",
        people={"gv": "Trần Văn Bình", "ht": "Lê Thị Cúc"},
    )
    keys = FileKeyProvider(root)
    signers = [
        keys.person_signer(school_code="79000001", username="gv"),
        keys.person_signer(school_code="79000001", username="ht"),
        keys.seal_signer(school_code="79000001"),
    ]
    data = record()
    render_times, sign_times, verify_times = [], [], []
    render_cpu: list[float] = []
    sign_cpu: list[float] = []
    for run in range(RUNS + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        pdf = render_transcript(data)
        rendered, cpu_rendered = time.perf_counter(), time.process_time()
        signed = pdf
        per_signature, per_signature_cpu = [], []
        for i, signer in enumerate(signers):
            t0, c0 = time.perf_counter(), time.process_time()
            signed = asyncio.run(
                sign_in_sequence(signed, [SigningStep(f"Sig{i}", signer, "r", "n")])
            )
            per_signature.append(time.perf_counter() - t0)
            per_signature_cpu.append(time.process_time() - c0)
        t0 = time.perf_counter()
        result = asyncio.run(verify_pdf(signed, trust_roots=keys.trust_roots()))
        verified = time.perf_counter() - t0
        if not (result.authentic and result.unchanged):
            raise SystemExit(f"verification failed: {result.problem}")
        if run:  # the first run warms caches (font cut, imports)
            render_times.append(rendered - start)
            render_cpu.append(cpu_rendered - cpu_start)
            sign_times.append(max(per_signature))
            sign_cpu.append(max(per_signature_cpu))
            verify_times.append(verified)
    primary = primary_record()
    primary_times, primary_cpu = [], []
    render_transcript(primary)  # warm-up
    for _ in range(RUNS):
        start, cpu_start = time.perf_counter(), time.process_time()
        render_transcript(primary)
        primary_times.append(time.perf_counter() - start)
        primary_cpu.append(time.process_time() - cpu_start)
    primary_ms = statistics.median(primary_times) * 1000
    primary_cpu_ms = statistics.median(primary_cpu) * 1000
    render_ms = statistics.median(render_times) * 1000
    sign_ms = statistics.median(sign_times) * 1000
    verify_ms = statistics.median(verify_times) * 1000
    render_cpu_ms = statistics.median(render_cpu) * 1000
    sign_cpu_ms = statistics.median(sign_cpu) * 1000
    # Wall time is the target; CPU time is printed too because a loaded machine (shared CI
    # runners) stretches wall time without the code doing more work.
    print(f"render:          median {render_ms:6.1f} ms wall, {render_cpu_ms:6.1f} ms CPU (<= 300)")
    print(
        f"render primary:  median {primary_ms:6.1f} ms wall, {primary_cpu_ms:6.1f} ms CPU (<= 300)"
    )
    print(f"sign (slowest):  median {sign_ms:6.1f} ms wall, {sign_cpu_ms:6.1f} ms CPU (<= 300)")
    print(f"verify 3 sigs:   median {verify_ms:6.1f} ms")
    print(f"PDF size: {len(signed) / 1024:.0f} KiB")
    print("load average:", " ".join(f"{x:.1f}" for x in os.getloadavg()))
    if max(render_ms, primary_ms, sign_ms) > 300:
        raise SystemExit("over budget (wall time)")


if __name__ == "__main__":
    main()
