"""Errors of the item bank's domain code, each carrying what a user needs to fix the input."""

from __future__ import annotations

__all__ = ["ImportFormatError", "ItemBankError", "ItemValidationError"]


class ItemBankError(Exception):
    """Base class of the item bank's errors."""


class ItemValidationError(ItemBankError, ValueError):
    """An item is unusable; ``problems`` name each field at fault."""

    def __init__(self, identifier: str, problems: list[str], *, source: str = "") -> None:
        self.identifier = identifier
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}item {identifier!r}: " + "; ".join(self.problems))


class ImportFormatError(ItemBankError, ValueError):
    """A file cannot be read as the format it claims; names the file, the item and the problem."""

    def __init__(self, source: str, problem: str, *, item: str | None = None) -> None:
        self.source = source
        self.item = item
        self.problem = problem
        where = f" item {item!r}:" if item else ""
        super().__init__(f"{source}:{where} {problem}")
