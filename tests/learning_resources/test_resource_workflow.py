import dataclasses
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from learning_resources.errors import (
    IllegalTransitionError,
    ImmutableVersionError,
    MetadataValidationError,
)
from learning_resources.resources import ResourceState
from learning_resources.workflow import (
    TRANSITIONS,
    apply_event,
    new_version,
    publish,
    reject,
    retract,
    revise,
    start_review,
    submit,
    withdraw,
)

S = ResourceState
T1 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
EVENTS = ("submit", "retract", "start_review", "reject", "publish", "withdraw")


def test_happy_path_records_history_and_publication_time(resource):
    submitted = submit(resource, at=T1, actor="gv-huong")
    reviewing = start_review(submitted, at=T1 + timedelta(hours=1), actor="tt-minh")
    done = publish(reviewing, at=T1 + timedelta(hours=2), actor="tt-minh")
    assert [r.state for r in (resource, submitted, reviewing, done)] == [
        S.DRAFT,
        S.SUBMITTED,
        S.IN_REVIEW,
        S.PUBLISHED,
    ]
    assert done.published_at == done.modified == T1 + timedelta(hours=2)
    assert [(c.event, c.source, c.target, c.actor) for c in done.history] == [
        ("submit", S.DRAFT, S.SUBMITTED, "gv-huong"),
        ("start_review", S.SUBMITTED, S.IN_REVIEW, "tt-minh"),
        ("publish", S.IN_REVIEW, S.PUBLISHED, "tt-minh"),
    ]
    assert resource.state is S.DRAFT  # the input is untouched


def test_reject_and_retract_return_to_draft(resource):
    reviewing = start_review(submit(resource, at=T1, actor="a"), at=T1, actor="r")
    rejected = reject(reviewing, at=T1, actor="r", reason="Thiếu nguồn trích dẫn")
    assert rejected.state is S.DRAFT
    assert rejected.history[-1].reason == "Thiếu nguồn trích dẫn"
    assert retract(submit(rejected, at=T1, actor="a"), at=T1, actor="a").state is S.DRAFT


@pytest.mark.parametrize("event", ["reject", "withdraw"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejection_and_withdrawal_require_a_reason(resource, publish_resource, event, reason):
    source = (
        start_review(submit(resource, at=T1, actor="a"), at=T1, actor="r")
        if event == "reject"
        else publish_resource(resource)
    )
    with pytest.raises(IllegalTransitionError, match="reason is required") as info:
        apply_event(source, event, at=T1, actor="r", reason=reason)
    assert info.value.event == event


def test_every_unlisted_transition_is_illegal_and_named(resource):
    states = {
        S.DRAFT: resource,
        S.SUBMITTED: dataclasses.replace(resource, state=S.SUBMITTED),
        S.IN_REVIEW: dataclasses.replace(resource, state=S.IN_REVIEW),
        S.PUBLISHED: dataclasses.replace(resource, state=S.PUBLISHED, published_at=T1),
        S.WITHDRAWN: dataclasses.replace(resource, state=S.WITHDRAWN, published_at=T1),
    }
    illegal = [(e, s) for e in EVENTS for s in S if (e, s) not in TRANSITIONS]
    assert len(illegal) == len(EVENTS) * len(S) - 6
    for event, state in illegal:
        with pytest.raises(IllegalTransitionError) as info:
            apply_event(states[state], event, at=T1, actor="x", reason="lý do")
        assert info.value.code == "illegal_transition"
        assert (info.value.event, info.value.source) == (event, state)
        assert f"cannot {event} a resource in state '{state}'" in str(info.value)


def test_withdrawal_marks_the_record_deleted(published_resource):
    withdrawn = withdraw(published_resource, at=T1, actor="admin", reason="Vi phạm bản quyền")
    assert withdrawn.state is S.WITHDRAWN
    assert withdrawn.is_deleted
    assert not published_resource.is_deleted
    assert withdrawn.published_at == published_resource.published_at


def test_submit_and_publish_validate_and_normalise(resource):
    invalid = dataclasses.replace(resource, licence="All rights reserved")
    with pytest.raises(MetadataValidationError, match="licence"):
        submit(invalid, at=T1, actor="a")
    nfd_title = unicodedata.normalize("NFD", "Đồ thị hàm số")
    nfd = dataclasses.replace(resource, dc=dataclasses.replace(resource.dc, title=nfd_title))
    assert submit(nfd, at=T1, actor="a").dc.title == "Đồ thị hàm số"
    reviewing = dataclasses.replace(invalid, state=S.IN_REVIEW)
    with pytest.raises(MetadataValidationError, match="licence"):
        publish(reviewing, at=T1, actor="r")


def test_transition_time_must_be_aware(resource):
    with pytest.raises(MetadataValidationError, match="at"):
        submit(resource, at=datetime(2026, 1, 1), actor="a")


def test_published_versions_are_immutable(published_resource):
    with pytest.raises(ImmutableVersionError, match="immutable") as info:
        revise(published_resource, at=T1, dc=published_resource.dc)
    assert info.value.code == "version_immutable"
    withdrawn = withdraw(published_resource, at=T1, actor="a", reason="Lỗi nội dung")
    with pytest.raises(ImmutableVersionError):
        revise(withdrawn, at=T1, licence="CC-BY-4.0")


def test_revise_edits_only_drafts(resource):
    changed = revise(resource, at=T1, licence="CC-BY-4.0")
    assert (changed.licence, changed.modified, changed.version) == ("CC-BY-4.0", T1, 1)
    with pytest.raises(IllegalTransitionError, match="edit"):
        revise(submit(resource, at=T1, actor="a"), at=T1, licence="CC-BY-4.0")
    with pytest.raises(MetadataValidationError, match="state"):
        revise(resource, at=T1, state=S.PUBLISHED)
    with pytest.raises(MetadataValidationError, match="at"):
        revise(resource, at=datetime(2026, 1, 1), licence="CC0-1.0")


def test_new_version_starts_a_draft_with_the_next_number(published_resource):
    draft = new_version(published_resource, at=T1, actor="gv")
    assert (draft.identifier, draft.version, draft.state) == (
        published_resource.identifier,
        2,
        S.DRAFT,
    )
    assert draft.published_at is None
    assert [c.event for c in draft.history] == ["new_version"]
    assert revise(draft, at=T1, licence="CC-BY-4.0").licence == "CC-BY-4.0"
    assert published_resource.version == 1
    withdrawn = withdraw(published_resource, at=T1, actor="a", reason="Lỗi")
    assert new_version(withdrawn, at=T1, actor="gv").version == 2
    with pytest.raises(IllegalTransitionError, match="new_version"):
        new_version(draft, at=T1, actor="gv")
    with pytest.raises(MetadataValidationError):
        new_version(published_resource, at=datetime(2026, 1, 1), actor="gv")
