"""A CA bundle of one certificate for the test session (tests/conftest.py says why)."""

from __future__ import annotations

from pathlib import Path

import certifi

BEGIN, END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"


def one_certificate_bundle(folder: str) -> str:
    """Write the first certificate of certifi's bundle to ``folder`` and return the file's path."""
    text = Path(certifi.where()).read_text(encoding="ascii")
    path = Path(folder) / "one-certificate.pem"
    path.write_text(text[text.index(BEGIN):text.index(END) + len(END)] + "\n", encoding="ascii")
    return str(path)
