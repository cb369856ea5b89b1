"""What an importer did with each question of a file: imported as an item, or skipped and why."""

from __future__ import annotations

from dataclasses import dataclass

from item_bank.items import Item

__all__ = ["ImportReport", "ImportedQuestion"]


@dataclass(frozen=True, slots=True)
class ImportedQuestion:
    """One question of the source file.

    ``position`` is the 1-based index of the question in the file (categories are not counted);
    ``line`` is the line it starts on when the format is line-based (GIFT, Aiken). ``item`` is
    ``None`` exactly when ``skipped`` gives the reason. ``notes`` record what the bank keeps in
    a different form or drops (a unit penalty, a missing image, ignored answer numbering).
    """

    position: int
    name: str
    item: Item | None = None
    skipped: str | None = None
    notes: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of importing one file: every question, imported or skipped, in file order."""

    source: str
    format: str
    questions: tuple[ImportedQuestion, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        """The imported items, in file order."""
        return tuple(q.item for q in self.questions if q.item is not None)

    @property
    def skipped(self) -> tuple[ImportedQuestion, ...]:
        """The questions that were not imported, each with its reason."""
        return tuple(q for q in self.questions if q.item is None)

    def by_name(self, name: str) -> ImportedQuestion:
        """Return the first question called ``name``; raise ``KeyError`` if there is none."""
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(name)
