"""Property tests: generated native items export to QTI 3.0 and re-import equal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from item_bank.items import Choice, Item, ItemKind, NumericKey, TextAnswer
from item_bank.qti import export_item, read_item

words = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĐƯ0123456789.,?:;%()-+=/'\"", min_size=1, max_size=8
)
sentence = st.lists(words, min_size=1, max_size=6).map(" ".join)
markdown = st.one_of(
    sentence,
    st.tuples(sentence, sentence).map(lambda p: f"{p[0]} *{p[1]}*"),
    st.tuples(sentence, sentence).map(lambda p: f"**{p[0]}**\n\n{p[1]}"),
    st.tuples(sentence, words).map(lambda p: f"{p[0]} `{p[1]}`"),
)
scores = st.sampled_from([0.0, 0.5, 1.0, 2.0, -1.0])


@st.composite
def choice_items(draw: st.DrawFn) -> Item:
    count = draw(st.integers(2, 6))
    kind = draw(st.sampled_from([ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_RESPONSE]))
    partial = draw(st.booleans())
    choices = tuple(
        Choice(
            f"C{i}", draw(markdown), fixed=draw(st.booleans()),
            feedback=None if partial else draw(st.none() | markdown),
            score=draw(scores) if partial else 0.0,
        )
        for i in range(count)
    )  # fmt: skip
    correct = ("C0", "C1") if kind is ItemKind.MULTIPLE_RESPONSE else ("C0",)
    points = (
        max(sum(c.score for c in choices if c.score > 0), 1.0)
        if partial
        else draw(scores.filter(lambda s: s > 0))
    )
    if partial and kind is ItemKind.SINGLE_CHOICE:
        points = max([c.score for c in choices] + [1.0])
    return Item(
        identifier=f"gen-{count}", kind=kind, stem=draw(markdown), title=draw(sentence),
        choices=choices, correct=correct, shuffle=draw(st.booleans()), partial_credit=partial,
        max_choices=0 if kind is ItemKind.MULTIPLE_RESPONSE else 1, points=points,
        general_feedback=draw(st.none() | markdown), rationale=draw(st.none() | markdown),
    )  # fmt: skip


@st.composite
def answer_items(draw: st.DrawFn) -> Item:
    points = draw(st.sampled_from([1.0, 2.0, 4.0]))
    if draw(st.booleans()):
        answers = tuple(
            TextAnswer(
                draw(words) + ("*" if draw(st.booleans()) else ""),
                draw(st.sampled_from([1.0, 0.5])),
                draw(st.booleans()),
            )
            for _ in range(draw(st.integers(1, 3)))
        )
        return Item(
            "text", ItemKind.SHORT_TEXT, draw(markdown), text_answers=answers, points=points
        )
    keys = tuple(
        NumericKey(
            draw(st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))),
            tolerance=draw(st.sampled_from([0.0, 0.01, 0.07, 0.5, 0.3])),
            relative=draw(st.booleans()),
            score=score,
        )
        for score in sorted(
            draw(st.lists(st.sampled_from([1.0, 0.5, 0.25]), min_size=1, max_size=3)), reverse=True
        )
    )
    return Item("number", ItemKind.NUMERIC, draw(markdown), numeric_keys=keys, points=points)


@settings(max_examples=150, deadline=None)
@given(choice_items() | answer_items())
def test_generated_items_round_trip(item: Item) -> None:
    item = item.normalised()
    assert read_item(export_item(item), source=item.identifier) == item
