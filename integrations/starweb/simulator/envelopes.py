"""Starweb's response envelopes and the query conventions shared by every list.

A single resource answers ``{"data": {...}}``, a list ``{"data": [...]}``; the paged lists (orders,
products, variants) add ``meta.pagination`` in Fractal's snake_case with a fixed page size of 100,
and a page past the end is an empty, successful page. Included children come back wrapped in
their own ``{"data": ...}``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

PAGE_SIZE = 100

Doc = dict[str, Any]


def single(data: Any) -> dict[str, Any]:
    return {"data": data}


def collection(items: Sequence[Any]) -> dict[str, Any]:
    return {"data": list(items)}


def paged(items: Sequence[Any], page: int) -> dict[str, Any]:
    start = (page - 1) * PAGE_SIZE
    return page_envelope(list(items[start:start + PAGE_SIZE]), page, len(items))


def page_envelope(chunk: list[Any], page: int, total: int) -> dict[str, Any]:
    """One page that was cut from a list of ``total`` items elsewhere."""
    return {
        "data": chunk,
        "meta": {"pagination": {
            "current_page": page,
            "per_page": PAGE_SIZE,
            "total": total,
            "count": len(chunk),
            "total_pages": max(1, math.ceil(total / PAGE_SIZE)),
        }},
    }


def parse_includes(include: str | None) -> set[str]:
    """``include=items,status`` → {"items", "status"}; a nested name also includes its parent."""
    names: set[str] = set()
    for raw in (include or "").split(","):
        name = raw.strip()
        if not name:
            continue
        names.add(name)
        parts = name.split(".")
        names.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return names


def with_nulls(doc: Doc, fields: Sequence[str]) -> Doc:
    """The resource in the spec's field order, absent optional fields as ``null`` like the real API."""
    return {name: doc.get(name) for name in fields}


def merge_languages(current: list[Doc], changes: list[Doc]) -> list[Doc]:
    """Translations by ``langCode``: a sent language replaces its namesake, new ones are added."""
    merged = {lang["langCode"]: lang for lang in current}
    merged.update({lang["langCode"]: lang for lang in changes})
    return list(merged.values())
