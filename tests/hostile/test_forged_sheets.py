"""Sheets with a valid signature that must still be refused: signed by another expert of
the same batch, with a certificate registered to another expert, or for another version of
the scheme. Each refused with its reason by ``cmrc verify --workspace`` and by the merge,
nothing written. (A sheet of another batch: tests/unit/services/test_merge.py and
tests/unit/test_cli_verify.py.)"""

from __future__ import annotations

import sqlite3

import pytest

from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing import keys
from cmrc_desktop.storage import signing_repo
from tests.hostile.forge import genuine, payload_of, replaced, resign
from tests.hostile.test_hostile_xlsx import refused_everywhere


def test_a_resigned_genuine_payload_verifies(batch):
    """The forging tool itself makes acceptable sheets: refusals below are the forgery's."""
    original = genuine(batch, "E02")
    path = resign(batch, payload_of(original), "E02", batch / "same.xlsx")
    with open_workspace(batch / "secretary") as ws:
        assert verify_file(path, ws).ok


def fingerprint_of(batch, expert: str) -> str:
    with open_workspace(batch / "secretary") as ws:
        return signing_repo.expert_cert(ws.db, expert)[1]


def test_a_payload_naming_e02_signed_with_e03s_key_is_refused(batch, capsys):
    payload = payload_of(genuine(batch, "E02"))
    path = resign(batch, payload, "E03", batch / "forged.xlsx")
    refused_everywhere(batch, path, "names a different certificate", capsys=capsys)


def test_a_payload_naming_e02_with_e03s_certificate_is_refused(batch, capsys):
    payload = replaced(payload_of(genuine(batch, "E02")),
                       cert_fingerprint=fingerprint_of(batch, "E03"))
    path = resign(batch, payload, "E03", batch / "forged.xlsx")
    refused_everywhere(batch, path, "another batch or another expert", capsys=capsys)


def test_two_experts_cannot_share_a_certificate(batch):
    with open_workspace(batch / "secretary") as ws:
        pem, sha = signing_repo.expert_cert(ws.db, "E02")
        with pytest.raises(sqlite3.IntegrityError):
            signing_repo.set_expert_cert(ws.db, "E03", pem, sha)
        assert signing_repo.experts_by_fingerprint(ws.db)[sha] == "E02"
        assert keys.fingerprint(keys.load_cert_pem(pem)) == sha


def test_a_sheet_for_another_scheme_version_is_refused(batch, capsys):
    payload = replaced(payload_of(genuine(batch, "E02")), scheme_sha256="0" * 64)
    path = resign(batch, payload, "E02", batch / "old-scheme.xlsx")
    refused_everywhere(batch, path, "another version of the scheme", capsys=capsys)
