"""Nested collections of resources (a course → units → lessons).

A :class:`Collection` names its parent; :func:`build_collection_tree` checks that the parents
exist and form no cycle, so the service can store the flat rows and still trust the tree.
(Named ``collections_tree`` to avoid shadowing the standard library's ``collections``.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from learning_resources.errors import MetadataValidationError
from learning_resources.identifiers import validate_identifier

__all__ = [
    "MAX_DEPTH",
    "Collection",
    "build_collection_tree",
    "collection_ancestors",
    "collection_descendants",
    "resources_in_collection",
]

MAX_DEPTH = 8
"""Deepest nesting allowed; deeper trees are a data-entry mistake rather than a curriculum."""


@dataclass(frozen=True, slots=True)
class Collection:
    """A named group of resources, optionally inside a parent collection.

    Attributes
    ----------
    identifier : str
        Stable identifier (``col-...``); also the OAI-PMH set ``collection:<identifier>``.
    title : str
        Display title (NFC Vietnamese).
    resource_ids : tuple of str
        Resources directly in this collection, in display order.
    parent : str or None
        Identifier of the enclosing collection.
    description : str
        Optional longer text (``setDescription`` in ListSets).
    school : str or None
        Owning school's code.
    """

    identifier: str
    title: str
    resource_ids: tuple[str, ...] = ()
    parent: str | None = None
    description: str = ""
    school: str | None = None


def build_collection_tree(collections: Iterable[Collection]) -> dict[str, Collection]:
    """Validate collections and index them by identifier.

    Parameters
    ----------
    collections : iterable of Collection

    Returns
    -------
    dict of str to Collection
        In input order.

    Raises
    ------
    MetadataValidationError
        ``identifier`` for a duplicate or malformed id, ``title`` for an empty title, ``parent``
        for a missing parent, a cycle, or nesting deeper than :data:`MAX_DEPTH`.
    """
    tree: dict[str, Collection] = {}
    for collection in collections:
        validate_identifier(collection.identifier)
        if collection.identifier in tree:
            raise MetadataValidationError("identifier", f"duplicate {collection.identifier!r}")
        if not collection.title.strip():
            raise MetadataValidationError("title", f"{collection.identifier!r} has no title")
        tree[collection.identifier] = collection
    for collection in tree.values():
        if collection.parent is not None and collection.parent not in tree:
            raise MetadataValidationError("parent", f"{collection.parent!r} does not exist")
        collection_ancestors(tree, collection.identifier)
    return tree


def collection_ancestors(tree: Mapping[str, Collection], identifier: str) -> tuple[str, ...]:
    """Return the ancestors of a collection, nearest first.

    Raises
    ------
    MetadataValidationError
        On a cycle or when the chain is deeper than :data:`MAX_DEPTH` (field ``parent``).
    KeyError
        If ``identifier`` is not in the tree.
    """
    chain: list[str] = []
    parent = tree[identifier].parent
    while parent is not None:
        if parent == identifier or parent in chain:
            raise MetadataValidationError("parent", f"cycle through {identifier!r}")
        chain.append(parent)
        if len(chain) > MAX_DEPTH:
            raise MetadataValidationError("parent", f"{identifier!r} nests deeper than {MAX_DEPTH}")
        parent = tree[parent].parent
    return tuple(chain)


def collection_descendants(tree: Mapping[str, Collection], identifier: str) -> tuple[str, ...]:
    """Return every collection below ``identifier`` (breadth-first, tree order)."""
    children: dict[str, list[str]] = {}
    for collection in tree.values():
        if collection.parent is not None:
            children.setdefault(collection.parent, []).append(collection.identifier)
    result: list[str] = []
    queue = list(children.get(identifier, ()))
    while queue:
        current = queue.pop(0)
        result.append(current)
        queue.extend(children.get(current, ()))
    return tuple(result)


def resources_in_collection(
    tree: Mapping[str, Collection], identifier: str, *, recursive: bool = True
) -> tuple[str, ...]:
    """Return resource ids in a collection (and, by default, its sub-collections), deduplicated.

    A resource that sits in several sub-collections appears once, at its first position.
    """
    ids = [identifier, *collection_descendants(tree, identifier)] if recursive else [identifier]
    return tuple(dict.fromkeys(rid for cid in ids for rid in tree[cid].resource_ids))
