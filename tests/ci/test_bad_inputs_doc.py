"""docs/bad-inputs.md is the bad-input catalogue: at least 40 cases, each naming the test that asserts its
handling. Every test it names must exist (a renamed or deleted test would leave the catalogue lying), and a
parameter it names must be one the test file spells."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "bad-inputs.md"
ROW = re.compile(r"^\| (\d+) \|.*`(tests/[\w/]+\.py)::(\w+)(?:\[([^\]]+)\])?` \|$")


def rows() -> list[tuple[int, str, str, str | None]]:
    found = []
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line):
            found.append((int(match[1]), match[2], match[3], match[4]))
    return found


def test_the_catalogue_lists_at_least_forty_numbered_cases() -> None:
    numbers = [number for number, *_ in rows()]
    assert len(numbers) >= 40
    assert numbers == list(range(1, len(numbers) + 1)), "rows numbered 1, 2, 3 … without gaps"


def test_every_test_the_catalogue_names_exists() -> None:
    missing = []
    for number, path, name, parameter in rows():
        source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).is_file() else ""
        if not re.search(rf"^(async )?def {name}\(", source, re.MULTILINE):
            missing.append(f"row {number}: {path}::{name}")
        elif parameter and f'"{parameter}"' not in source:
            missing.append(f"row {number}: parameter {parameter!r} of {path}::{name}")
    assert missing == []
