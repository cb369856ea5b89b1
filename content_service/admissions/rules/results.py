"""Grade-10 allocation results and the per-applicant explanations."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from content_service.admissions.rules.rounds import WishStatus


class Phase(StrEnum):
    """Allocation phases, in the order the city processes them."""

    SPECIALISED = "specialised"
    INTEGRATED = "integrated"
    REGULAR = "regular"
    SUPPLEMENTARY = "supplementary"


_SUFFIX = {
    Phase.SPECIALISED: " chuyên",
    Phase.INTEGRATED: " tích hợp",
    Phase.REGULAR: "",
    Phase.SUPPLEMENTARY: " bổ sung",
}


def wish_label(phase: Phase, wish_number: int) -> str:
    """``NV1``, ``NV2 chuyên``, ``NV1 bổ sung`` ..."""
    return f"NV{wish_number}{_SUFFIX[phase]}"


def _fmt(score: Decimal | None) -> str:
    return "-" if score is None else f"{score:.2f}"


class WishOutcome(NamedTuple):
    """What happened to one wish, with the numbers that decided it.

    ``earlier_cutoff`` is the highest cut-off of earlier rounds at the same class, which a
    later wish must reach. A named tuple rather than a frozen dataclass: an allocation
    builds one per wish (300,000 for a city), and tuple construction is several times cheaper.
    """

    phase: Phase
    wish_number: int
    school: str
    class_name: str
    status: WishStatus
    score: Decimal | None
    cutoff: Decimal | None = None
    earlier_cutoff: Decimal | None = None
    reason: str = ""

    @property
    def label(self) -> str:
        """The wish label, e.g. ``NV2``."""
        return wish_label(self.phase, self.wish_number)

    def explain(self) -> str:
        """One sentence, e.g. ``NV1 X: not admitted, your score 21.75 < NV1 cut-off 23.50``."""
        head, you = f"{self.label} {self.class_name}", f"your score {_fmt(self.score)}"
        cut = f"{self.label} cut-off {_fmt(self.cutoff)}"
        match self.status:
            case WishStatus.ADMITTED:
                return f"{head}: admitted, {you} >= {cut}"
            case WishStatus.BELOW_CUTOFF:
                return f"{head}: not admitted, {you} < {cut}"
            case WishStatus.LOST_TIE_BREAK:
                return (
                    f"{head}: not admitted, {you} equals the {cut} but the published "
                    f"tie-break ({self.reason}) ranked you after the last admitted applicant"
                )
            case WishStatus.BELOW_EARLIER_CUTOFF:
                return (
                    f"{head}: not admitted, {you} < the earlier cut-off "
                    f"{_fmt(self.earlier_cutoff)} at this class (a later wish's cut-off is "
                    "never lower than an earlier one)"
                )
            case WishStatus.NO_SEATS:
                return f"{head}: not admitted, no seats were left after earlier rounds"
            case WishStatus.NOT_ELIGIBLE:
                return f"{head}: not eligible, {self.reason}"
            case _:
                return f"{head}: not considered, {self.reason}"


class Placement(NamedTuple):
    """Where an applicant was admitted (a named tuple, like :class:`WishOutcome`)."""

    applicant_id: str
    phase: Phase
    wish_number: int
    school: str
    class_name: str
    score: Decimal

    @property
    def label(self) -> str:
        """The admitting wish, e.g. ``NV2``."""
        return wish_label(self.phase, self.wish_number)


@dataclass(frozen=True, slots=True)
class RoundCutoff:
    """A class's cut-off in one wish round (``None`` when nobody was admitted)."""

    phase: Phase
    wish_number: int
    school: str
    class_name: str
    cutoff: Decimal | None
    applicants: int
    admitted: int
    seats_before: int

    @property
    def label(self) -> str:
        """The round's wish label."""
        return wish_label(self.phase, self.wish_number)


@dataclass(frozen=True, slots=True)
class ApplicantReport:
    """An applicant's placement and the outcome of each of their wishes, in order."""

    applicant_id: str
    placement: Placement | None
    outcomes: tuple[WishOutcome, ...]

    def headline(self) -> str:
        """The first line of :meth:`explanation`: where the applicant was admitted, if at all."""
        if self.placement is None:
            return f"{self.applicant_id}: not admitted to any wish"
        return (
            f"{self.applicant_id}: admitted to {self.placement.class_name} "
            f"({self.placement.label}) with {_fmt(self.placement.score)}"
        )

    def explanation(self, lines: Sequence[str] | None = None) -> str:
        """Multi-line answer to "why not my first wish?".

        ``lines`` are the outcomes' :meth:`WishOutcome.explain` sentences when the caller has
        them already (a city-wide run stores both and should not build them twice).
        """
        sentences = [o.explain() for o in self.outcomes] if lines is None else lines
        return "\n".join([self.headline(), *(f"- {line}" for line in sentences)])


class ReportView(Mapping[str, ApplicantReport]):
    """Read-only ``applicant_id -> ApplicantReport`` mapping that builds reports on access."""

    def __init__(self, applicant_ids: tuple[str, ...], build: Callable[[str], ApplicantReport]):
        self._ids = applicant_ids
        self._known = frozenset(applicant_ids)
        self._build = build

    def __getitem__(self, applicant_id: str) -> ApplicantReport:
        if applicant_id not in self._known:
            raise KeyError(applicant_id)
        return self._build(applicant_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True, slots=True)
class Grade10Result:
    """Outcome of the city procedure.

    Attributes
    ----------
    rule_id : str
    cutoffs : tuple of RoundCutoff
        Every class's cut-off in every wish round it had applicants in.
    placements : tuple of Placement
        Every admission, in the order made.
    reports : Mapping[str, ApplicantReport]
        Per applicant: placement and the outcome of each wish (built on access).
    """

    rule_id: str
    cutoffs: tuple[RoundCutoff, ...]
    placements: tuple[Placement, ...]
    reports: Mapping[str, ApplicantReport]

    @property
    def admitted(self) -> tuple[Placement, ...]:
        """All placements, ordered by class then score (highest first)."""
        return tuple(
            sorted(self.placements, key=lambda p: (p.class_name, -p.score, p.applicant_id))
        )

    def placement(self, applicant_id: str) -> Placement | None:
        """The applicant's placement, or ``None``."""
        return self.reports[applicant_id].placement

    def cutoff(
        self, school: str, phase: Phase = Phase.REGULAR, wish_number: int = 1
    ) -> Decimal | None:
        """Cut-off of ``school`` in the given round of the regular or supplementary phase.

        Raises
        ------
        KeyError
            If no applicant had that wish at that school.
        """
        for row in self.cutoffs:
            if (row.school, row.phase, row.wish_number) == (school, phase, wish_number):
                return row.cutoff
        raise KeyError(f"no {wish_label(phase, wish_number)} round at {school!r}")
