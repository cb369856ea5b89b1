import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from learning_resources.vietnamese import (
    document_marked_syllables,
    fold_diacritics,
    fold_for_search,
    has_diacritics,
    marked_syllables,
    nfc,
    rerank_exact_tone,
    tokenize_syllables,
)

VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
vietnamese_text = st.text(
    alphabet=st.sampled_from(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " ,.-0123456789"),
    max_size=40,
)


def test_nfc_composes_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Toán học")
    assert decomposed != "Toán học"
    assert nfc(decomposed) == "Toán học"


def test_fold_maps_d_with_stroke_and_every_tone():
    assert fold_diacritics("Đường đương dương duong") == "Duong duong duong duong"
    assert fold_diacritics("ma mà má mả mã mạ") == "ma ma ma ma ma ma"
    assert fold_diacritics("Ngữ văn, Lịch sử, Địa lí") == "Ngu van, Lich su, Dia li"
    assert fold_diacritics("ƯỚC LƯỢNG ơ") == "UOC LUONG o"


def test_fold_accepts_nfd_input():
    assert fold_diacritics(unicodedata.normalize("NFD", "Hóa học")) == "Hoa hoc"


def test_has_diacritics():
    assert has_diacritics("đ")
    assert has_diacritics("dương")
    assert not has_diacritics("duong 10")


def test_tokenize_syllables_lowercases_and_drops_punctuation():
    # The real minus sign is deliberate: formulas pasted from Word contain it.
    text = unicodedata.normalize("NFD", "Phương trình bậc hai: Δ = b² − 4ac (lớp 10)")  # noqa: RUF001
    assert tokenize_syllables(text) == [
        "phương",
        "trình",
        "bậc",
        "hai",
        "δ",
        "b²",
        "4ac",
        "lớp",
        "10",
    ]


def test_fold_for_search_is_the_same_for_documents_and_queries():
    assert fold_for_search("Chiến thắng Điện Biên Phủ (1954)") == "chien thang dien bien phu 1954"
    assert fold_for_search("dien bien  PHU") == "dien bien phu"
    assert fold_for_search("Đồng Nai") == fold_for_search("dong nai")


@given(vietnamese_text)
def test_folded_text_is_idempotent_and_ascii_for_vietnamese_letters(text):
    folded = fold_diacritics(text)
    assert fold_diacritics(folded) == folded
    assert folded.isascii()
    assert len(folded) == len(nfc(text))
    assert not has_diacritics(folded)


@given(vietnamese_text)
def test_search_folding_ignores_normal_form(text):
    assert fold_for_search(unicodedata.normalize("NFD", text)) == fold_for_search(text)


HITS = [
    {"id": "a", "title": "Đường tròn lượng giác"},
    {"id": "b", "title": "Số dương và số âm", "keywords": ["số nguyên"]},
    {"id": "c", "title": "Duong Van Minh", "description": None},
    {"id": "d", "title": "Đương đầu với khó khăn"},
    {"id": "e", "title": "Tập hợp số", "keywords": ["dương", "âm"]},
]


def test_rerank_moves_exact_tone_matches_first_and_keeps_engine_order():
    ranked = rerank_exact_tone("dương", HITS, ("title", "keywords", "description"))
    assert [hit["id"] for hit in ranked] == ["b", "e", "a", "c", "d"]


def test_rerank_scores_by_number_of_exact_marked_words():
    ranked = rerank_exact_tone("số âm", HITS, ("title", "keywords"))
    # b and e contain both "số" and "âm"; a, c, d contain neither.
    assert [hit["id"] for hit in ranked] == ["b", "e", "a", "c", "d"]
    ranked = rerank_exact_tone("Số dương", HITS, ("title",))
    assert [hit["id"] for hit in ranked] == ["b", "e", "a", "c", "d"]


def test_rerank_without_marks_keeps_order_and_returns_a_new_list():
    ranked = rerank_exact_tone("duong", HITS, ("title",))
    assert ranked == HITS
    assert ranked is not HITS


def test_rerank_matches_nfd_hits_and_queries():
    hits = [{"t": "Ma trận"}, {"t": unicodedata.normalize("NFD", "Mã hóa")}]
    ranked = rerank_exact_tone(unicodedata.normalize("NFD", "mã"), hits, ("t",))
    assert ranked == [hits[1], hits[0]]


def test_rerank_ignores_fields_that_are_not_text():
    hits = [{"t": 7}, {"t": ["mạ", 3]}]
    assert rerank_exact_tone("mạ", hits, ("t", "missing")) == [hits[1], hits[0]]


def test_marked_syllables_are_the_words_with_marks_lowercased_and_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Đường tròn")
    assert marked_syllables(nfd, "DƯƠNG và duong, 2024") == {"đường", "tròn", "dương", "và"}
    assert marked_syllables("phuong trinh bac hai") == set()
    document = {"title": "Hàm số", "keywords": ["đồ thị", 7], "description": None}
    assert document_marked_syllables(document, ("title", "keywords", "description")) == [
        "hàm",
        "số",
        "thị",
        "đồ",
    ]
