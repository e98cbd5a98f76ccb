"""An expert signs, exports, then changes a sheet: the old signature is void and the
next export is a new revision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.services import keyring, scoring
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.packages import export_package, import_package
from cmrc_desktop.services.sheets import export_sheet, sign_sheet
from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit, expert_repo, score_repo, signing_repo

PASSWORD = "test-password-1"


@pytest.fixture
def expert_ws(tmp_path):
    summary = build_demo(tmp_path / "demo", centres=2, experts=3, seed=3, password=PASSWORD,
                         with_experts=False)
    with open_workspace(summary.secretary) as sec:
        pkg = export_package(sec, "E01", tmp_path, PASSWORD)
    ws = import_package(tmp_path / "E01", pkg.path, pkg.one_time_password, PASSWORD)
    yield ws, summary.secretary
    ws.close()


def fill(ws, centre):
    scores = {i.id: i.max - i.step for i in ws.scheme.expert_indicators}
    scoring.record_sheet(ws, "E01", centre, scores)
    scoring.set_sheet_state(ws, "E01", centre, SheetState.FINAL)


def test_sign_export_edit_resign(expert_ws, tmp_path):
    ws, secretary = expert_ws
    centre = expert_repo.list_assignments(ws.db)[0][1]
    signer = keyring.open_own_key(ws, PASSWORD)
    with pytest.raises(InputError, match="only a finalised sheet"):
        scoring.record_score(ws, "E01", centre, "A1", Decimal("5"))
        sign_sheet(ws, "E01", centre, signer)
    fill(ws, centre)
    signed = sign_sheet(ws, "E01", centre, signer)
    assert score_repo.find_sheet(ws.db, "E01", centre).state == SheetState.SIGNED
    first = export_sheet(ws, "E01", centre, tmp_path / "out", signer)
    assert [p.suffix for p in first.paths] == [".xlsx", ".pdf"]
    assert all(p.name.endswith("_r1" + p.suffix) for p in first.paths)
    with pytest.raises(InputError, match="finalised"):
        scoring.record_score(ws, "E01", centre, "A1", Decimal("4"))

    scoring.set_sheet_state(ws, "E01", centre, SheetState.DRAFT)  # edit after signing
    assert signing_repo.current_signature(ws.db, "E01", centre) is None
    assert [e.action for e in audit.entries(ws.db, action="sheet.void")] == ["sheet.void"]
    scoring.record_score(ws, "E01", centre, "A1", Decimal("4"))
    with pytest.raises(InputError, match="not signed"):
        export_sheet(ws, "E01", centre, tmp_path / "out", signer)
    scoring.set_sheet_state(ws, "E01", centre, SheetState.FINAL)
    second = sign_sheet(ws, "E01", centre, signer)
    assert second.revision == signed.revision + 1
    again = export_sheet(ws, "E01", centre, tmp_path / "out", signer, formats=["xlsx"])
    with open_workspace(secretary) as sec:
        result = verify_file(again.paths[0], sec)
    assert result.ok and result.revision == 2 and result.payload.scores["A1"] == Decimal("4")


def test_a_key_of_another_expert_cannot_sign(expert_ws, tmp_path):
    ws, secretary = expert_ws
    centre = expert_repo.list_assignments(ws.db)[0][1]
    fill(ws, centre)
    with open_workspace(secretary) as sec:
        other = keyring.open_expert_key(sec, "E02", PASSWORD)
    with pytest.raises(InputError, match="belongs to expert E02"):
        sign_sheet(ws, "E01", centre, other)
