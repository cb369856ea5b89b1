"""Pure circulation rules: the loan-rule matrix and the decisions made at the desk.

No web or database imports: the service loads the facts (the copy's state, the patron's loans,
the holds queue) and asks these functions what to do; time is passed in.
The rule matrix is patron category by item type (DOMAIN.md §4, TT16/2022); fines are supported
but default to 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class PatronCategory(StrEnum):
    STUDENT = "student"
    STAFF = "staff"


class ItemType(StrEnum):
    BOOK = "book"
    TEXTBOOK = "textbook"
    REFERENCE = "reference"
    PERIODICAL = "periodical"
    MEDIA = "media"


class CopyStatus(StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    ON_HOLD_SHELF = "on_hold_shelf"  # kept for the patron at the head of the holds queue
    IN_TRANSIT = "in_transit"  # lent to another school (inter-library loan)
    LOST = "lost"
    WITHDRAWN = "withdrawn"


class HoldStatus(StrEnum):
    WAITING = "waiting"
    READY = "ready"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# Roles (content_service.models.people.Role values) that borrow, and their category.
_CATEGORY_OF_ROLE = {
    "student": PatronCategory.STUDENT,
    "teacher": PatronCategory.STAFF,
    "librarian": PatronCategory.STAFF,
    "school_admin": PatronCategory.STAFF,
    "researcher": PatronCategory.STAFF,
}


class CirculationRefusal(Exception):  # noqa: N818 - a refusal, not an error of the program
    """A circulation action the rules do not allow; ``code`` is machine-readable."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def patron_category(role: str) -> PatronCategory:
    """The borrowing category of a role; parents and system admins do not borrow."""
    category = _CATEGORY_OF_ROLE.get(role)
    if category is None:
        raise CirculationRefusal(f"a {role} account cannot borrow", code="not_a_patron")
    return category


@dataclass(frozen=True, slots=True)
class LoanRule:
    """One cell of the matrix. ``loan_days == 0`` means the item type is not for loan."""

    loan_days: int
    max_renewals: int
    max_loans: int
    hold_shelf_days: int = 3
    fine_per_day: int = 0  # VND; schools may set one, the default is none


DEFAULT_LOAN_RULES: Mapping[tuple[PatronCategory, ItemType], LoanRule] = {
    (PatronCategory.STUDENT, ItemType.BOOK): LoanRule(14, 2, 5),
    (PatronCategory.STUDENT, ItemType.TEXTBOOK): LoanRule(120, 1, 12),
    (PatronCategory.STUDENT, ItemType.REFERENCE): LoanRule(0, 0, 0),
    (PatronCategory.STUDENT, ItemType.PERIODICAL): LoanRule(7, 1, 2),
    (PatronCategory.STUDENT, ItemType.MEDIA): LoanRule(7, 1, 2),
    (PatronCategory.STAFF, ItemType.BOOK): LoanRule(30, 3, 20),
    (PatronCategory.STAFF, ItemType.TEXTBOOK): LoanRule(365, 1, 40),
    (PatronCategory.STAFF, ItemType.REFERENCE): LoanRule(7, 1, 5),
    (PatronCategory.STAFF, ItemType.PERIODICAL): LoanRule(14, 2, 10),
    (PatronCategory.STAFF, ItemType.MEDIA): LoanRule(14, 2, 10),
}


def loan_rule(
    category: PatronCategory,
    item_type: str,
    rules: Mapping[tuple[PatronCategory, ItemType], LoanRule] = DEFAULT_LOAN_RULES,
) -> LoanRule:
    """The rule for a patron category and item type."""
    try:
        return rules[(category, ItemType(item_type))]
    except (KeyError, ValueError):
        raise CirculationRefusal(
            f"no loan rule for {category} patrons and item type {item_type!r}", code="no_loan_rule"
        ) from None


@dataclass(frozen=True, slots=True)
class CheckoutFacts:
    """What the desk knows when a copy is scanned for a patron."""

    patron_id: str
    category: PatronCategory
    item_type: str
    copy_status: CopyStatus
    held_for: str | None  # patron the copy waits for on the hold shelf
    active_loans: int  # all of the patron's open loans
    overdue_loans: int


def decide_checkout(facts: CheckoutFacts, *, now: datetime) -> datetime:
    """Return the due date of a checkout, or refuse it.

    Raises
    ------
    CirculationRefusal
        ``not_for_loan``, ``copy_unavailable``, ``held_for_another``, ``loan_limit`` or
        ``has_overdue``.
    """
    rule = loan_rule(facts.category, facts.item_type)
    if rule.loan_days == 0:
        raise CirculationRefusal(
            f"{facts.item_type} items are for use in the library only", code="not_for_loan"
        )
    if facts.copy_status is CopyStatus.ON_HOLD_SHELF:
        if facts.held_for != facts.patron_id:
            raise CirculationRefusal(
                "this copy is on the hold shelf for another patron", code="held_for_another"
            )
    elif facts.copy_status is not CopyStatus.AVAILABLE:
        raise CirculationRefusal(
            f"this copy is {facts.copy_status.value.replace('_', ' ')}", code="copy_unavailable"
        )
    if facts.overdue_loans:
        raise CirculationRefusal(
            f"the patron has {facts.overdue_loans} overdue loan(s); return them first",
            code="has_overdue",
        )
    if facts.active_loans >= rule.max_loans:
        raise CirculationRefusal(
            f"the patron already has {facts.active_loans} loans (limit {rule.max_loans})",
            code="loan_limit",
        )
    return now + timedelta(days=rule.loan_days)


def decide_renewal(
    *,
    category: PatronCategory,
    item_type: str,
    renewals: int,
    waiting_holds: int,
    now: datetime,
) -> datetime:
    """Return the new due date of a renewal (counted from ``now``), or refuse it.

    Raises
    ------
    CirculationRefusal
        ``renewal_limit`` when the rule's renewals are used up, ``on_hold`` when another
        patron is waiting for the title.
    """
    rule = loan_rule(category, item_type)
    if renewals >= rule.max_renewals:
        raise CirculationRefusal(
            f"renewal limit reached ({rule.max_renewals} renewals for {category} patrons "
            f"and {item_type} items)",
            code="renewal_limit",
        )
    if waiting_holds:
        raise CirculationRefusal(
            f"{waiting_holds} patron(s) are waiting for this title", code="on_hold"
        )
    return now + timedelta(days=rule.loan_days)


def overdue_days(due_at: datetime, now: datetime) -> int:
    """Whole days past the due moment (0 when not overdue)."""
    return max((now - due_at).days, 0) if now > due_at else 0


def fine(rule: LoanRule, due_at: datetime, returned_at: datetime) -> int:
    """The fine owed on return (0 with the default rules)."""
    return rule.fine_per_day * overdue_days(due_at, returned_at)


@dataclass(frozen=True, slots=True)
class QueuedHold:
    hold_id: str
    patron_id: str
    placed_at: datetime


def next_in_queue(holds: Sequence[QueuedHold]) -> QueuedHold | None:
    """The waiting hold served first: the earliest placed (ties by id, for a stable order)."""
    return min(holds, key=lambda h: (h.placed_at, h.hold_id), default=None)


def queue_position(holds: Sequence[QueuedHold], hold_id: str) -> int:
    """1-based position of a hold in the queue."""
    ordered = sorted(holds, key=lambda h: (h.placed_at, h.hold_id))
    return next(i for i, h in enumerate(ordered, 1) if h.hold_id == hold_id)


# -- inter-library loans -------------------------------------------------------------------


class IllStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"  # the lending library set a copy aside
    SHIPPED = "shipped"
    RECEIVED = "received"
    RETURNED = "returned"  # sent back by the borrowing library
    COMPLETED = "completed"  # checked in at the lending library
    REFUSED = "refused"
    CANCELLED = "cancelled"


class IllAction(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"
    SHIP = "ship"
    RECEIVE = "receive"
    RETURN = "return"
    COMPLETE = "complete"
    CANCEL = "cancel"


class IllSide(StrEnum):
    LENDER = "lender"
    BORROWER = "borrower"


# action -> (side that performs it, statuses it applies to, status afterwards)
ILL_TRANSITIONS: Mapping[IllAction, tuple[IllSide, frozenset[IllStatus], IllStatus]] = {
    IllAction.APPROVE: (IllSide.LENDER, frozenset({IllStatus.REQUESTED}), IllStatus.APPROVED),
    IllAction.REFUSE: (IllSide.LENDER, frozenset({IllStatus.REQUESTED}), IllStatus.REFUSED),
    IllAction.SHIP: (IllSide.LENDER, frozenset({IllStatus.APPROVED}), IllStatus.SHIPPED),
    IllAction.RECEIVE: (IllSide.BORROWER, frozenset({IllStatus.SHIPPED}), IllStatus.RECEIVED),
    IllAction.RETURN: (IllSide.BORROWER, frozenset({IllStatus.RECEIVED}), IllStatus.RETURNED),
    IllAction.COMPLETE: (IllSide.LENDER, frozenset({IllStatus.RETURNED}), IllStatus.COMPLETED),
    IllAction.CANCEL: (
        IllSide.BORROWER,
        frozenset({IllStatus.REQUESTED, IllStatus.APPROVED}),
        IllStatus.CANCELLED,
    ),
}


def ill_transition(status: IllStatus, action: IllAction, side: IllSide) -> IllStatus:
    """The status after ``action`` by ``side``, or refuse an action out of turn."""
    performer, sources, target = ILL_TRANSITIONS[action]
    if side is not performer:
        raise CirculationRefusal(
            f"only the {performer.value} library may {action.value} a request",
            code="ill_wrong_side",
        )
    if status not in sources:
        allowed = ", ".join(sorted(s.value for s in sources))
        raise CirculationRefusal(
            f"cannot {action.value} a request that is {status.value} (needs {allowed})",
            code="ill_bad_state",
        )
    return target
