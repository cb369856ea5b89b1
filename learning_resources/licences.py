"""The Creative Commons licences a resource may carry, keyed by their SPDX identifiers.

Open-learning resources in the repository carry exactly one CC licence (or the CC0 dedication).
The registry is data so that a new version can be added without touching the validation code.
"""

from __future__ import annotations

from dataclasses import dataclass

from learning_resources.errors import UnknownLicenceError

__all__ = ["LICENCES", "Licence", "get_licence", "licence_from_uri"]


@dataclass(frozen=True, slots=True)
class Licence:
    """One Creative Commons licence.

    Attributes
    ----------
    code : str
        SPDX identifier, the canonical value stored on resources and used as a search facet.
    name : str
        Full English name as published by Creative Commons.
    uri : str
        Canonical deed URI (``https``, trailing slash), emitted as ``dcterms:license``.
    attribution, share_alike, non_commercial, no_derivatives : bool
        The licence elements, for filters such as "may I adapt this for my class?".
    """

    code: str
    name: str
    uri: str
    attribution: bool
    share_alike: bool
    non_commercial: bool
    no_derivatives: bool

    @property
    def allows_adaptation(self) -> bool:
        """True when derivative works (translations, remixes) are permitted."""
        return not self.no_derivatives


def _cc(elements: str, version: str) -> Licence:
    parts = elements.split("-")
    path = elements.lower()
    names = {"BY": "Attribution", "SA": "ShareAlike", "NC": "NonCommercial", "ND": "NoDerivatives"}
    if version == "3.0":
        names["ND"] = "NoDerivs"
    suffix = " International" if version == "4.0" else " Unported"
    return Licence(
        code=f"CC-{elements}-{version}",
        name=f"Creative Commons {'-'.join(names[p] for p in parts)} {version}{suffix}",
        uri=f"https://creativecommons.org/licenses/{path}/{version}/",
        attribution=True,
        share_alike="SA" in parts,
        non_commercial="NC" in parts,
        no_derivatives="ND" in parts,
    )


_ELEMENTS = ("BY", "BY-SA", "BY-NC", "BY-NC-SA", "BY-ND", "BY-NC-ND")
_CC0 = Licence(
    code="CC0-1.0",
    name="Creative Commons CC0 1.0 Universal",
    uri="https://creativecommons.org/publicdomain/zero/1.0/",
    attribution=False,
    share_alike=False,
    non_commercial=False,
    no_derivatives=False,
)
LICENCES: dict[str, Licence] = {
    lic.code: lic
    for lic in (_CC0, *(_cc(e, "4.0") for e in _ELEMENTS), *(_cc(e, "3.0") for e in _ELEMENTS))
}


def get_licence(code: str) -> Licence:
    """Return the registered licence for an SPDX code (case-insensitive).

    Parameters
    ----------
    code : str
        SPDX identifier such as ``"CC-BY-SA-4.0"``.

    Returns
    -------
    Licence

    Raises
    ------
    UnknownLicenceError
        If the code is not a registered Creative Commons licence (field ``licence``).
    """
    for key, licence in LICENCES.items():
        if key.casefold() == code.strip().casefold():
            return licence
    raise UnknownLicenceError("licence", f"{code!r} is not a registered Creative Commons licence")


def licence_from_uri(uri: str) -> Licence:
    """Return the licence whose deed URI matches ``uri``.

    ``http``/``https``, a missing trailing slash and a ``deed.xx`` / ``legalcode`` suffix are
    tolerated, since harvested records write the URI in all of those ways.

    Raises
    ------
    UnknownLicenceError
        If no registered licence has that URI.
    """
    key = uri.strip().removeprefix("http://").removeprefix("https://").rstrip("/")
    for suffix in ("/legalcode", "/deed"):
        if suffix in key:
            key = key[: key.index(suffix)]
    for licence in LICENCES.values():
        if licence.uri.removeprefix("https://").rstrip("/") == key:
            return licence
    raise UnknownLicenceError("licence", f"{uri!r} is not a registered Creative Commons URI")
