"""The install is pinned by hash: every package in requirements.lock carries the sha256 of its files, and the
Makefile installs the lock with ``pip --require-hashes``, so a file changed on the index is refused."""

from __future__ import annotations

import re

from settings import PROJECT_ROOT


def requirements() -> dict[str, list[str]]:
    """Each ``name==version`` of the lock with the hashes given for it."""
    text = (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = [entry for entry in re.split(r"(?<!\\)\n", text) if entry.strip() and not entry.startswith("#")]
    return {entry.split()[0]: re.findall(r"--hash=sha256:([0-9a-f]{64})", entry) for entry in entries}


def test_every_locked_package_is_pinned_to_a_version_and_carries_hashes() -> None:
    locked = requirements()
    assert len(locked) > 100
    assert [name for name in locked if not re.fullmatch(r"[A-Za-z0-9._-]+==[\w.+!-]+", name)] == []
    assert [name for name, hashes in locked.items() if not hashes] == []


def test_make_install_requires_the_hashes() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install -q --require-hashes -r requirements.lock" in makefile
    assert [line for line in makefile.splitlines() if "pip install" in line and "requirements.lock" not in line
            and "--no-deps -e ." not in line] == [], "nothing else is installed outside the lock"
