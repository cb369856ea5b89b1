"""Test assembly on the Vietnamese fixture set: exact matrices, shortages, parallel forms."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from item_bank.assembly import (
    Blueprint,
    BlueprintCell,
    InfeasibleBlueprintError,
    IrtParameters,
    assemble_forms,
    check_blueprint,
)
from item_bank.formats import load_items
from item_bank.items import CognitiveLevel, ItemKind

VI_ITEMS = Path(__file__).resolve().parents[1] / "fixtures" / "vi_items" / "items.json"
LEVELS = tuple(CognitiveLevel)
SUBJECTS = ("Toán", "Vật lí", "Hóa học", "Sinh học", "Ngữ văn", "Lịch sử và Địa lí")


@pytest.fixture(scope="module")
def bank():
    return load_items(VI_ITEMS)


@pytest.fixture(scope="module")
def parameters(bank):
    rng = np.random.default_rng(20240611)
    return {
        item.identifier: IrtParameters(
            discrimination=float(rng.uniform(0.8, 2.0)),
            difficulty=float(
                rng.normal(-1.0 + 0.7 * LEVELS.index(item.metadata.cognitive_level), 0.5)
            ),
        )
        for item in bank
    }


def matrix(counts: dict[CognitiveLevel, int], *, subjects=SUBJECTS, points=None, **kw) -> Blueprint:
    cells = tuple(
        BlueprintCell(level, n, subject=s, points=None if points is None else points[level])
        for s in subjects
        for level, n in counts.items()
    )
    return Blueprint(cells, **kw)


def test_exact_matrix_is_satisfied_with_points_key_and_summary(bank):
    counts = {
        CognitiveLevel.NHAN_BIET: 2,
        CognitiveLevel.THONG_HIEU: 1,
        CognitiveLevel.VAN_DUNG: 1,
        CognitiveLevel.VAN_DUNG_CAO: 1,
    }
    points = {
        CognitiveLevel.NHAN_BIET: 0.25,
        CognitiveLevel.THONG_HIEU: 0.25,
        CognitiveLevel.VAN_DUNG: 0.5,
        CognitiveLevel.VAN_DUNG_CAO: 0.5,
    }
    result = assemble_forms(bank, matrix(counts, points=points), rng=np.random.default_rng(7))
    assert result.method == "greedy"
    (form,) = result.forms
    assert len(form.items) == 30
    assert len(set(form.identifiers)) == 30
    got = Counter((e.item.metadata.subject, e.item.metadata.cognitive_level) for e in form.items)
    assert got == {(s, level): n for s in SUBJECTS for level, n in counts.items()}
    assert form.total_points == pytest.approx(6 * (0.5 + 0.25 + 0.5 + 0.5))
    assert [e.position for e in form.items] == list(range(1, 31))
    assert form.cells[0].label == "Toán / Nhận biết"
    assert form.cells[0].count == 2
    assert form.cells[0].points == 0.5
    assert form.cells[0].mean_difficulty is None
    for entry in form.items:
        key = form.answer_key[entry.item.identifier]
        assert key.position == entry.position
        if entry.item.kind is ItemKind.SINGLE_CHOICE:
            assert sorted(entry.choice_order) == ["A", "B", "C", "D"]
            assert key.choices == entry.item.correct
            assert key.labels == ("ABCD"[entry.choice_order.index(entry.item.correct[0])],)
        if entry.item.kind is ItemKind.NUMERIC:
            assert key.values
            assert key.values[0].startswith(f"{entry.item.numeric_keys[0].value:g}")


def test_same_seed_same_form_other_seed_other_form(bank):
    blueprint = matrix({level: 1 for level in LEVELS})
    one = assemble_forms(bank, blueprint, rng=np.random.default_rng(1)).forms[0]
    again = assemble_forms(bank, blueprint, rng=np.random.default_rng(1)).forms[0]
    other = assemble_forms(bank, blueprint, rng=np.random.default_rng(2)).forms[0]
    assert one == again
    assert (one.identifiers, [e.choice_order for e in one.items]) != (
        other.identifiers,
        [e.choice_order for e in other.items],
    )


def test_infeasible_cell_is_reported_precisely(bank):
    cells = (
        BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 3, subject="Toán", topic="Hàm số bậc hai"),
        BlueprintCell(CognitiveLevel.NHAN_BIET, 1, subject="Toán", topic="Hàm số bậc hai"),
    )
    with pytest.raises(InfeasibleBlueprintError) as caught:
        assemble_forms(bank, Blueprint(cells), rng=np.random.default_rng(0))
    assert [s.message for s in caught.value.shortages] == [
        "Toán / Hàm số bậc hai / Vận dụng cao: need 3, bank has 2 published items"
    ]


def test_exclusions_count_against_the_bank(bank):
    cell = BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 2, subject="Toán", topic="Hàm số bậc hai")
    blueprint = Blueprint((cell,), exclude=frozenset({"TO10-HSB-VDC-1"}))
    (shortage,) = check_blueprint(bank, blueprint)
    assert (
        shortage.message
        == "Toán / Hàm số bậc hai / Vận dụng cao: need 2, bank has 1 published item"
    )


def test_parallel_forms_shortage_is_reported(bank):
    blueprint = matrix({CognitiveLevel.VAN_DUNG: 2}, subjects=("Ngữ văn",), forms=3)
    with pytest.raises(
        InfeasibleBlueprintError,
        match=r"Ngữ văn / Vận dụng: need 3 forms \u00d7 2 = 6, bank has 4 published items",
    ):
        assemble_forms(bank, blueprint, rng=np.random.default_rng(0))
    overlapping = matrix(
        {CognitiveLevel.VAN_DUNG: 2}, subjects=("Ngữ văn",), forms=3, allow_overlap=True
    )
    forms = assemble_forms(bank, overlapping, rng=np.random.default_rng(0)).forms
    assert all(len(set(f.identifiers)) == 2 for f in forms)


def test_parallel_forms_are_disjoint_and_balanced(bank, parameters):
    blueprint = matrix({level: 1 for level in LEVELS}, forms=4)
    result = assemble_forms(bank, blueprint, rng=np.random.default_rng(3), parameters=parameters)
    assert result.method == "milp"
    ids = [set(f.identifiers) for f in result.forms]
    assert all(len(s) == 24 for s in ids)
    assert len(set().union(*ids)) == 96  # 4 forms x 24 items, no item twice
    means = [f.mean_difficulty for f in result.forms]
    unbalanced = assemble_forms(bank, blueprint, rng=np.random.default_rng(3))
    greedy_means = [
        np.mean([parameters[i].difficulty for i in f.identifiers]) for f in unbalanced.forms
    ]
    assert max(means) - min(means) <= 0.02 + 1e-9  # each form within 0.01 of a common mean
    assert max(means) - min(means) < max(greedy_means) - min(greedy_means)


def test_difficulty_targets_are_approached(bank, parameters):
    level = CognitiveLevel.THONG_HIEU
    pool = sorted(
        parameters[i.identifier].difficulty for i in bank if i.metadata.cognitive_level is level
    )
    easy = Blueprint((BlueprintCell(level, 4, target_difficulty=pool[0]),))
    hard = Blueprint((BlueprintCell(level, 4, target_difficulty=pool[-1]),))
    got_easy = assemble_forms(
        bank, easy, rng=np.random.default_rng(4), parameters=parameters
    ).forms[0]
    got_hard = assemble_forms(
        bank, hard, rng=np.random.default_rng(4), parameters=parameters
    ).forms[0]
    assert got_easy.cells[0].mean_difficulty == pytest.approx(np.mean(pool[:4]))
    assert got_hard.cells[0].mean_difficulty == pytest.approx(np.mean(pool[-4:]))


def test_information_target_is_approached(bank, parameters):
    blueprint = matrix({level: 1 for level in LEVELS}, subjects=SUBJECTS[:3])
    free = assemble_forms(bank, blueprint, rng=np.random.default_rng(5), parameters=parameters)
    theta = 1.0
    infos = [parameters[i.identifier].information(np.array([theta]))[0] for i in bank]
    target = float(np.mean(infos) * 12 * 1.2)
    aimed = Blueprint(blueprint.cells, information_targets=((theta, target),))
    form = assemble_forms(bank, aimed, rng=np.random.default_rng(5), parameters=parameters).forms[0]
    ((_, reached),) = form.information
    free_info = sum(
        parameters[i].information(np.array([theta]))[0] for i in free.forms[0].identifiers
    )
    assert abs(reached - target) < 0.02 * target
    assert abs(reached - target) <= abs(free_info - target)


def test_cells_competing_for_items_fall_back_to_the_program(bank):
    # both cells accept the 2 Toán / Hàm số bậc hai / VDC items; greedy may take the wrong one
    cells = (
        BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 1, subject="Toán"),
        BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 3, subject="Toán", topic="Đạo hàm"),
    )
    with pytest.raises(InfeasibleBlueprintError, match="need 3, bank has 2"):
        assemble_forms(bank, Blueprint(cells), rng=np.random.default_rng(0))
    # the any-topic cell is filled first (equal scarcity); when its draw takes both Đạo hàm
    # items the greedy pass is stuck and the program finds the assignment
    cells = (
        BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 2, subject="Toán"),
        BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 1, subject="Toán", topic="Đạo hàm"),
        BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 1, subject="Toán", topic="Hàm số bậc hai"),
    )
    results = [
        assemble_forms(bank, Blueprint(cells), rng=np.random.default_rng(s)) for s in range(8)
    ]
    for result in results:
        form = result.forms[0]
        assert len(set(form.identifiers)) == 4
        assert {e.item.metadata.topic for e in form.items if e.cell == 1} == {"Đạo hàm"}
        assert {e.item.metadata.topic for e in form.items if e.cell == 2} == {"Hàm số bậc hai"}
    assert {r.method for r in results} == {"greedy", "milp"}
    cells = (*cells, BlueprintCell(CognitiveLevel.VAN_DUNG_CAO, 1, subject="Toán", topic="Đạo hàm"))
    with pytest.raises(InfeasibleBlueprintError, match="no assignment exists"):
        assemble_forms(bank, Blueprint(cells), rng=np.random.default_rng(0))


def test_bad_blueprints_are_refused():
    with pytest.raises(ValueError, match="count must not be negative"):
        BlueprintCell(CognitiveLevel.VAN_DUNG, -1)
    with pytest.raises(ValueError, match="forms must be at least 1"):
        Blueprint((BlueprintCell(CognitiveLevel.VAN_DUNG, 1),), forms=0)
    with pytest.raises(ValueError, match="at least one cell"):
        Blueprint(())
