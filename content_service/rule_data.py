"""Reading rule data files (JSON/TOML) field by field, with errors naming the file and field path.

The grading rules (``records.rules``) and the admission rules (``admissions.rules``) are both data
with effective dates; both read their files through a subclass of :class:`FieldReader` that sets
its error class and adds its own value types. Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Self


class FieldReader:
    """Typed access to one decoded object; every error carries the file and the field path."""

    error_class: type[Exception] = ValueError

    def __init__(self, data: object, source: str, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise self.error_class(f"{source}: {path or 'top level'}: expected an object")
        self.data, self.source, self.path = data, source, path

    def normalise(self, value: str, key: str) -> str:
        """How text values are cleaned (subclasses NFC-normalise their names)."""
        return value.strip()

    def only(self, allowed: tuple[str, ...]) -> Self:
        """Refuse unknown fields, so that a misspelt setting is not silently ignored."""
        for key in self.data:
            if key not in allowed:
                raise self.error(str(key), f"unknown field (expected one of {', '.join(allowed)})")
        return self

    def error(self, key: str, message: str) -> Exception:
        where = f"{self.path}.{key}" if self.path else key
        return self.error_class(f"{self.source}: {where}: {message}")

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(key, "missing required field")
        return self.data[key]

    def child(self, key: str, index: int | None = None) -> Self:
        value = self.raw(key) if index is None else self.raw(key)[index]
        where = key if index is None else f"{key}[{index}]"
        return type(self)(value, self.source, f"{self.path}.{where}" if self.path else where)

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return self.normalise(value, key)

    def integer(self, key: str, *, minimum: int = 0) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(key, f"expected an integer >= {minimum}, got {value!r}")
        return value

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def items(self, key: str) -> list[Any]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise self.error(key, "expected a non-empty list")
        return value

    def day(self, key: str, *, optional: bool = False) -> date | None:
        value = self.data.get(key) if optional else self.raw(key)
        if value is None and optional:
            return None
        if isinstance(value, date):  # TOML dates arrive decoded
            return value
        try:
            return date.fromisoformat(value)  # type: ignore[arg-type]  # TypeError below
        except (TypeError, ValueError):
            raise self.error(key, f"expected an ISO date YYYY-MM-DD, got {value!r}") from None
