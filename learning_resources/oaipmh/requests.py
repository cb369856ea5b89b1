"""Parsing and validating OAI-PMH request arguments (protocol §4, argument table).

The service passes the GET query or POST form as a mapping of argument name to *all* its values,
so that repeated arguments can be rejected as the protocol requires.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from learning_resources.oaipmh.datestamps import parse_datestamp
from learning_resources.oaipmh.errors import OaiError, OaiErrorCode

__all__ = ["VERBS", "OaiRequest", "parse_request", "parse_set_spec"]

E = OaiErrorCode


@dataclass(frozen=True, slots=True)
class _VerbArguments:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None


_LIST = _VerbArguments(
    required=frozenset({"metadataPrefix"}),
    optional=frozenset({"from", "until", "set"}),
    exclusive="resumptionToken",
)
VERBS: dict[str, _VerbArguments] = {
    "Identify": _VerbArguments(),
    "ListMetadataFormats": _VerbArguments(optional=frozenset({"identifier"})),
    "ListSets": _VerbArguments(exclusive="resumptionToken"),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
    "GetRecord": _VerbArguments(required=frozenset({"identifier", "metadataPrefix"})),
}
"""Required, optional and exclusive arguments of the six verbs."""
# setSpec syntax from the OAI-PMH schema: colon-separated runs of URI "unreserved" characters.
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*$")
_SET_KINDS = frozenset({"collection", "subject", "grade"})


@dataclass(frozen=True, slots=True)
class OaiRequest:
    """A syntactically valid OAI-PMH request.

    Attributes
    ----------
    verb : str
    arguments : dict of str to str
        The arguments as given (used to echo them in ``<request>``).
    identifier, metadata_prefix, set_spec, resumption_token : str or None
    from_, until : datetime or None
        Inclusive UTC bounds; a day-granularity ``until`` is the day's last second.
    """

    verb: str
    arguments: dict[str, str]
    identifier: str | None = None
    metadata_prefix: str | None = None
    set_spec: str | None = None
    from_: datetime | None = None
    until: datetime | None = None
    resumption_token: str | None = None


def parse_set_spec(spec: str) -> tuple[str, str]:
    """Split ``collection:<id>``, ``subject:<code>`` or ``grade:<n>`` into (kind, value).

    Raises
    ------
    OaiError
        ``badArgument`` when the spec is malformed or of an unknown kind.
    """
    kind, _, value = spec.partition(":")
    if not _SET_SPEC.match(spec) or kind not in _SET_KINDS or not value or ":" in value:
        raise OaiError(
            E.BAD_ARGUMENT, f"set={spec!r} is not collection:<id>, subject:<code>, grade:<n>"
        )
    return kind, value


def _single_values(raw: Mapping[str, Sequence[str] | str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, given in raw.items():
        given_list = [given] if isinstance(given, str) else list(given)
        if len(given_list) != 1:
            code = E.BAD_VERB if name == "verb" else E.BAD_ARGUMENT
            raise OaiError(code, f"argument {name!r} is repeated")
        values[name] = given_list[0]
    return values


def _check_arguments(verb: str, arguments: dict[str, str]) -> None:
    spec = VERBS[verb]
    names = set(arguments)
    problems: list[str] = []
    if spec.exclusive is not None and spec.exclusive in names:
        if names != {spec.exclusive}:
            problems.append(
                f"{spec.exclusive} is exclusive; got also {sorted(names - {spec.exclusive})}"
            )
    else:
        problems += [f"missing required argument {n!r}" for n in sorted(spec.required - names)]
        allowed = spec.required | spec.optional
        problems += [f"illegal argument {n!r} for {verb}" for n in sorted(names - allowed)]
    for name, value in arguments.items():
        if not value:
            problems.append(f"argument {name!r} is empty")
    if problems:
        more = tuple((E.BAD_ARGUMENT, p) for p in problems[1:])
        raise OaiError(E.BAD_ARGUMENT, problems[0], more)


def _parse_bounds(arguments: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    start = end = None
    granularities = set()
    if "from" in arguments:
        start, granularity = parse_datestamp(arguments["from"], argument="from")
        granularities.add(granularity)
    if "until" in arguments:
        end, granularity = parse_datestamp(arguments["until"], argument="until", end_of_day=True)
        granularities.add(granularity)
    if len(granularities) > 1:
        raise OaiError(E.BAD_ARGUMENT, "from and until must have the same granularity")
    if start is not None and end is not None and start > end:
        raise OaiError(E.BAD_ARGUMENT, "from is later than until")
    return start, end


def parse_request(raw: Mapping[str, Sequence[str] | str]) -> OaiRequest:
    """Validate the arguments of an OAI-PMH request.

    Parameters
    ----------
    raw : mapping of str to sequence of str (or str)
        Every argument with all its values, from GET or POST alike.

    Returns
    -------
    OaiRequest

    Raises
    ------
    OaiError
        ``badVerb`` for a missing, repeated or unknown verb; ``badArgument`` for missing,
        illegal, repeated, empty or malformed arguments, bad datestamps, mixed granularities,
        ``from`` after ``until`` or a malformed set.
    """
    arguments = _single_values(raw)
    verb = arguments.pop("verb", None)
    if verb is None:
        raise OaiError(E.BAD_VERB, "the verb argument is missing")
    if verb not in VERBS:
        raise OaiError(E.BAD_VERB, f"{verb!r} is not an OAI-PMH verb")
    _check_arguments(verb, arguments)
    start, end = _parse_bounds(arguments)
    set_spec = arguments.get("set")
    if set_spec is not None:
        parse_set_spec(set_spec)
    return OaiRequest(
        verb=verb,
        arguments=arguments,
        identifier=arguments.get("identifier"),
        metadata_prefix=arguments.get("metadataPrefix"),
        set_spec=set_spec,
        from_=start,
        until=end,
        resumption_token=arguments.get("resumptionToken"),
    )
