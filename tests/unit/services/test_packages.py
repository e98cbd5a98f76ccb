"""Panel packages between the secretary and an expert: export, import, and refusal of
anything not genuine — with nothing written on the expert's machine."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.services import keyring
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.packages import export_package, import_package, one_time_password
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.signing import keys
from cmrc_desktop.storage import centre_repo, dossier_repo, expert_repo

PASSWORD = "test-password-1"


@pytest.fixture(scope="module")
def secretary(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    summary = build_demo(out, centres=3, experts=3, seed=5, password=PASSWORD,
                         with_experts=False)
    with open_workspace(summary.secretary) as ws:
        centre = centre_repo.list_centres(ws.db)[0].id
        doc = out / "年度报告.pdf"
        doc.write_bytes(b"%PDF-1.4 annual report")
        from cmrc_desktop.services.dossiers import add_document

        add_document(ws, centre, "annual_report", doc)
    return summary.secretary


@pytest.fixture(scope="module")
def exported(secretary, tmp_path_factory):
    out = tmp_path_factory.mktemp("packages")
    with open_workspace(secretary) as ws:
        return export_package(ws, "E01", out, PASSWORD)


def test_one_time_passwords_are_readable_and_unguessable():
    codes = {one_time_password() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 14 and c.count("-") == 2 and not set(c) & set("01OIL") for c in codes)


def test_import_creates_the_expert_workspace_with_centres_metrics_documents_and_key(
        secretary, exported, tmp_path):
    target = tmp_path / "expert"
    ws = import_package(target, exported.path, exported.one_time_password, "expert-pass-1")
    with ws:
        assert ws.batch.role == "expert" and ws.batch.owner_expert_id == "E01"
        with open_workspace(secretary) as sec:
            assert ws.batch.id == sec.batch.id
            assert ws.batch.scheme_sha256 == sec.batch.scheme_sha256
            assert ws.batch.ca_cert_pem == sec.batch.ca_cert_pem
            assigned = sorted(c for e, c in expert_repo.list_assignments(sec.db,
                                                                         expert_id="E01"))
        assert sorted(c for _e, c in expert_repo.list_assignments(ws.db)) == assigned
        assert len(dossier_repo.list_metrics(ws.db)) > 0
        own = keyring.open_own_key(ws, "expert-pass-1")
        assert keys.identity(own.cert)[1] == "E01"
        with pytest.raises(keys.WrongPassword):
            keyring.open_own_key(ws, exported.one_time_password)


def test_a_wrong_one_time_password_writes_nothing(exported, tmp_path):
    target = tmp_path / "expert"
    with pytest.raises(keys.WrongPassword, match="password does not open"):
        import_package(target, exported.path, "WRNG-WRNG-WRNG", "expert-pass-1")
    assert not target.exists()


def _rewrite(source: Path, target: Path, extra: dict[str, bytes] | None = None,
             change: str | None = None, replace: tuple[bytes, bytes] | None = None) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if change and info.filename.startswith(change):
                data = data[:-1] + bytes([data[-1] ^ 1])
            if replace and info.filename == "manifest.json":
                data = data.replace(*replace)
            zout.writestr(info, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return target


@pytest.mark.parametrize("tamper, words", [
    ({"extra": {"../evil.txt": b"x"}}, "climbs out"),
    ({"change": "expert-key.p12"}, "SHA-256"),
    ({"change": "manifest.json"}, "manifest is not valid JSON"),
    ({"replace": ("演示".encode(), "演习".encode())}, "changed after it was signed"),
    ({"extra": {"documents/unlisted": b"x"}}, "not listed"),
])
def test_a_tampered_package_is_refused_and_nothing_is_written(exported, tmp_path, tamper,
                                                              words):
    bad = _rewrite(exported.path, tmp_path / "bad.cmrcpkg", **tamper)
    target = tmp_path / "expert"
    with pytest.raises(InputError, match=words):
        import_package(target, bad, exported.one_time_password, "expert-pass-1")
    assert not target.exists()


def test_a_package_signed_by_another_batch_is_refused_by_verify(secretary, exported,
                                                                tmp_path_factory):
    from cmrc_desktop.services.verify import verify_file

    other = build_demo(tmp_path_factory.mktemp("other"), centres=2, experts=3, seed=6,
                       password=PASSWORD, with_experts=False)
    with open_workspace(other.secretary) as ws:
        result = verify_file(exported.path, ws)
    assert not result.ok and "another batch" in result.reason


def test_an_existing_workspace_is_never_overwritten(exported, tmp_path):
    target = tmp_path / "expert"
    import_package(target, exported.path, exported.one_time_password, "expert-pass-1").close()
    with pytest.raises(Exception, match="already holds a workspace"):
        import_package(target, exported.path, exported.one_time_password, "expert-pass-1")
