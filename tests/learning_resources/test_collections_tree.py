import pytest

from learning_resources.collections_tree import (
    MAX_DEPTH,
    Collection,
    build_collection_tree,
    collection_ancestors,
    collection_descendants,
    resources_in_collection,
)
from learning_resources.errors import MetadataValidationError

COURSE = [
    Collection("toan-10", "Toán 10", ("res-gioi-thieu",)),
    Collection("chuong-1", "Mệnh đề và tập hợp", ("res-menh-de", "res-tap-hop"), parent="toan-10"),
    Collection("chuong-2", "Hàm số bậc hai", ("res-parabol", "res-tap-hop"), parent="toan-10"),
    Collection("chuong-2-luyen-tap", "Luyện tập", ("res-bai-tap",), parent="chuong-2"),
]


def test_tree_queries():
    tree = build_collection_tree(COURSE)
    assert list(tree) == ["toan-10", "chuong-1", "chuong-2", "chuong-2-luyen-tap"]
    assert collection_ancestors(tree, "chuong-2-luyen-tap") == ("chuong-2", "toan-10")
    assert collection_ancestors(tree, "toan-10") == ()
    assert collection_descendants(tree, "toan-10") == ("chuong-1", "chuong-2", "chuong-2-luyen-tap")
    assert collection_descendants(tree, "chuong-1") == ()
    assert resources_in_collection(tree, "toan-10") == (
        "res-gioi-thieu",
        "res-menh-de",
        "res-tap-hop",
        "res-parabol",
        "res-bai-tap",
    )
    assert resources_in_collection(tree, "chuong-2", recursive=False) == (
        "res-parabol",
        "res-tap-hop",
    )


@pytest.mark.parametrize(
    ("collections", "match"),
    [
        ([Collection("a", "A"), Collection("a", "B")], "duplicate"),
        ([Collection("A b", "A")], "identifier"),
        ([Collection("a", " ")], "title"),
        ([Collection("a", "A", parent="missing")], "does not exist"),
        ([Collection("a", "A", parent="a")], "cycle"),
        ([Collection("a", "A", parent="b"), Collection("b", "B", parent="a")], "cycle"),
    ],
)
def test_invalid_trees_are_rejected(collections, match):
    with pytest.raises(MetadataValidationError, match=match):
        build_collection_tree(collections)


def test_depth_is_limited():
    chain = [Collection("c0", "C0")]
    chain += [Collection(f"c{i}", f"C{i}", parent=f"c{i - 1}") for i in range(1, MAX_DEPTH + 1)]
    assert len(build_collection_tree(chain)) == MAX_DEPTH + 1
    too_deep = [*chain, Collection("deep", "Deep", parent=f"c{MAX_DEPTH}")]
    with pytest.raises(MetadataValidationError, match="deeper"):
        build_collection_tree(too_deep)
