"""The panel package: built by the secretary, verified entirely in memory by the expert.

Every refusal is checked through ``read_package`` on a file in an otherwise empty folder
(the working directory too), and must leave both folders exactly as they were.
"""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.workspace import (
    Centre,
    Document,
    DocumentType,
    Expert,
    MemberRole,
    MetricValue,
    NetworkMember,
)
from cmrc_desktop.exchange import package as pkg
from cmrc_desktop.exchange.package import (
    PackageContent,
    batch_entry,
    build_package,
    centre_entry,
    centre_from_entry,
    expert_entry,
    make_manifest,
    metrics_from_entry,
    read_package,
    sha256_hex,
)
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.payload import canonical_json, sign
from tests.unit.exchange.test_safe_zip import Raw, raw_zip, zeros_bomb

BATCH = "B2026-0001"
PASSWORD = "7Kp-2xQ-93m"
SCHEME = 'id = "sd-perf-5d"\nname = "山东省临床医学研究中心绩效评估"\n'
APPLICATION = "申报书 PDF".encode() * 500
REPORT = b"%PDF-1.7 annual report\n" * 300
CREATED = "2026-05-01T08:00:00Z"


@pytest.fixture(scope="module")
def ca():
    return keys.make_batch_ca(BATCH, "2026年度绩效评估")


@pytest.fixture(scope="module")
def other_ca():
    return keys.make_batch_ca("B2026-0002", "另一批次")


@pytest.fixture(scope="module")
def expert_pair(ca):
    return keys.issue_expert_certificate(ca, BATCH, "E01", "王建国", "泉城医科大学")


@pytest.fixture(scope="module")
def p12(expert_pair):
    # A few PBKDF2 rounds keep the tests fast; the rounds are read back from the file.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keys, "KDF_ROUNDS", 1000)
        return keys.protect(expert_pair, PASSWORD)


def centres() -> list[dict]:
    centre = Centre(id="C01", name="山东省心血管病临床医学研究中心", level="provincial",
                    field="心血管疾病", host="泉城医院", sub_field="", province="山东",
                    city="济南", director="李华", start_date="2022-03-01",
                    members=(NetworkMember("齐鲁医院", MemberRole.CORE),
                             NetworkMember("=HYPERLINK(\"x\")")))
    docs = [Document(1, "C01", DocumentType.APPLICATION, "申报书", "申报书 v2 (final).pdf",
                     sha256_hex(APPLICATION), len(APPLICATION), "2026-04-01T00:00:00Z"),
            Document(2, "C01", DocumentType.ANNUAL_REPORT, "2025年度报告", "../../report.pdf",
                     sha256_hex(REPORT), len(REPORT), "2026-04-01T00:00:00Z"),
            Document(3, "C01", DocumentType.OTHER, "removed", "old.pdf", sha256_hex(b"old"), 3,
                     "2026-04-01T00:00:00Z", removed_at="2026-04-02T00:00:00Z")]
    metrics = [MetricValue("C01", "2025", "patients", Decimal("1200")),
               MetricValue("C01", "2025", "growth", Decimal("-3.50"))]
    second = Centre(id="C02", name="山东省肿瘤临床医学研究中心", level="provincial",
                    field="肿瘤", host="齐鲁医院")
    # The same attachment in two centres travels once.
    shared = [Document(9, "C02", DocumentType.APPLICATION, "申报书", "a.pdf",
                       sha256_hex(APPLICATION), len(APPLICATION), "2026-04-01T00:00:00Z")]
    return [centre_entry(centre, metrics, docs), centre_entry(second, (), shared)]


@pytest.fixture
def content(expert_pair) -> PackageContent:
    return PackageContent(
        batch=batch_entry(BATCH, "2026年度绩效评估", 2026, "performance", "dossier_review"),
        scheme_id="sd-perf-5d", scheme_text=SCHEME,
        expert=expert_entry(Expert("E01", "王建国", "泉城医科大学", "主任医师", "心血管")),
        expert_cert=expert_pair.cert, centres=centres(),
        documents={sha256_hex(APPLICATION): APPLICATION, sha256_hex(REPORT): lambda: REPORT},
        created_at=CREATED)


@pytest.fixture
def built(tmp_path, content, ca, p12) -> bytes:
    out = tmp_path / "built" / "E01.cmrcpkg"
    out.parent.mkdir()
    build_package(out, content, ca, p12)
    return out.read_bytes()


def entries_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def resign(manifest: dict, ca, entries: dict[str, bytes]) -> bytes:
    """A package whose manifest is ``manifest``, properly signed by ``ca``."""
    data = canonical_json(manifest)
    return rezip({**entries, "manifest.json": data, "manifest.sig": sign(ca.key, data)})


def refuse(tmp_path, monkeypatch, data: bytes, *, expected_ca=None) -> InputError:
    folder = tmp_path / "in"
    folder.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    path = folder / "E01.cmrcpkg"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_package(path, expected_ca=expected_ca)
    assert [p.name for p in folder.iterdir()] == ["E01.cmrcpkg"]
    assert path.read_bytes() == data
    assert list(cwd.iterdir()) == []
    assert info.value.file == "E01.cmrcpkg"
    return info.value


# -- the round trip -------------------------------------------------------------------------------
def test_build_then_read_gives_back_everything(tmp_path, built, content, ca, expert_pair):
    opened = read_package(tmp_path / "built" / "E01.cmrcpkg", expected_ca=ca.cert)
    assert opened.manifest == make_manifest(content, ca.cert, opened.expert_key_p12)
    assert opened.documents == {sha256_hex(APPLICATION): APPLICATION,
                                sha256_hex(REPORT): REPORT}
    assert opened.batch_id == BATCH and opened.expert_id == "E01"
    assert opened.scheme_text == SCHEME
    assert opened.ca_fingerprint == keys.fingerprint(ca.cert)
    assert keys.fingerprint(opened.expert_cert) == keys.fingerprint(expert_pair.cert)
    first = opened.manifest["centres"][0]
    assert centre_from_entry(first) == content_centre()
    assert metrics_from_entry(first) == [
        MetricValue("C01", "2025", "growth", Decimal("-3.5")),
        MetricValue("C01", "2025", "patients", Decimal("1200"))]
    assert [d["id"] for d in first["documents"]] == [1, 2]     # the removed one stays home

    pair = opened.open_key(PASSWORD)
    assert pair.key.private_numbers() == expert_pair.key.private_numbers()
    assert pair.chain == (opened.ca_cert,)
    with pytest.raises(keys.WrongPassword):
        opened.open_key("not-the-password")


def content_centre() -> Centre:
    return Centre(id="C01", name="山东省心血管病临床医学研究中心", level="provincial",
                  field="心血管疾病", host="泉城医院", sub_field="", province="山东",
                  city="济南", director="李华", start_date="2022-03-01",
                  members=(NetworkMember("齐鲁医院", MemberRole.CORE),
                           NetworkMember("=HYPERLINK(\"x\")", MemberRole.MEMBER)))


def test_layout_fixed_order_names_by_hash_and_canonical_manifest(built):
    with zipfile.ZipFile(io.BytesIO(built)) as zf:
        infos = zf.infolist()
    docs = sorted([sha256_hex(APPLICATION), sha256_hex(REPORT)])
    assert [i.filename for i in infos] == [
        "manifest.json", "manifest.sig", "expert-key.p12", *("documents/" + d for d in docs)]
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
    manifest = entries_of(built)["manifest.json"]
    parsed = json.loads(manifest)
    assert canonical_json(parsed) == manifest
    assert set(parsed) == {"format", "batch", "scheme", "expert", "ca_cert_pem", "centres",
                           "files", "created_at"}
    assert parsed["format"] == "cmrc-package/1"
    assert set(parsed["files"]) == {"expert-key.p12", *("documents/" + d for d in docs)}
    assert parsed["centres"][0]["metrics"][0] == {"metric": "growth", "period": "2025",
                                                  "value": "-3.5"}


def test_the_same_content_gives_the_same_bytes(tmp_path, built, content, ca, p12):
    again = tmp_path / "again.cmrcpkg"
    build_package(again, content, ca, p12)
    assert again.read_bytes() == built


def test_documents_may_be_read_lazily_from_paths(tmp_path, content, ca, p12, built):
    source = tmp_path / "report.pdf"
    source.write_bytes(REPORT)
    content.documents = {sha256_hex(APPLICATION): APPLICATION, sha256_hex(REPORT): source}
    out = tmp_path / "lazy.cmrcpkg"
    build_package(out, content, ca, p12)
    assert out.read_bytes() == built


def test_a_very_regular_attachment_is_stored_so_the_package_stays_readable(tmp_path, content,
                                                                           ca, p12):
    blank = bytes(3 * 1024 * 1024)
    doc = Document(5, "C02", DocumentType.OTHER, "blank scan", "scan.tif", sha256_hex(blank),
                   len(blank), "2026-04-01T00:00:00Z")
    content.centres[1]["documents"].append(centre_entry(
        Centre("C02", "x", "provincial", "肿瘤", "h"), (), [doc])["documents"][0])
    content.documents = {**content.documents, sha256_hex(blank): blank}
    out = tmp_path / "blank.cmrcpkg"
    build_package(out, content, ca, p12)
    assert read_package(out).documents[sha256_hex(blank)] == blank


def test_reading_from_bytes_works_and_names_the_package(built, ca):
    assert read_package(built, expected_ca=ca.cert).expert_id == "E01"
    with pytest.raises(InputError) as info:
        read_package(b"", shown_as="usb/E01.cmrcpkg")
    assert info.value.file == "usb/E01.cmrcpkg"


# -- building refuses what could not be read back -------------------------------------------------
def test_build_refuses_a_document_whose_bytes_changed_and_leaves_no_file(tmp_path, content, ca,
                                                                         p12):
    content.documents = {**content.documents, sha256_hex(REPORT): lambda: REPORT + b"!"}
    out = tmp_path / "E01.cmrcpkg"
    with pytest.raises(InputError, match="does not match its SHA-256"):
        build_package(out, content, ca, p12)
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_a_missing_document(tmp_path, content, ca, p12):
    content.documents = {sha256_hex(APPLICATION): APPLICATION}
    with pytest.raises(InputError, match="has no content"):
        build_package(tmp_path / "E01.cmrcpkg", content, ca, p12)
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_an_expert_certificate_of_another_batch(tmp_path, content, ca, other_ca,
                                                              p12):
    content.expert_cert = keys.issue_expert_certificate(other_ca, BATCH, "E01", "王建国",
                                                        "泉城医科大学").cert
    with pytest.raises(InputError, match="not issued by this batch"):
        build_package(tmp_path / "E01.cmrcpkg", content, ca, p12)
    assert list(tmp_path.iterdir()) == []


# -- refusals: the archive itself ----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "words"), [
    ("../evil", "climbs out"),
    ("/abs", "absolute path"),
    ("C:/x", "drive letter"),
    ("a\\b", "backslash"),
])
def test_unsafe_entry_names_are_refused(tmp_path, monkeypatch, built, name, words):
    entries = list(entries_of(built).items())
    data = raw_zip([Raw(n, d) for n, d in entries] + [Raw(name, b"evil")])
    error = refuse(tmp_path, monkeypatch, data)
    assert words in error.message and error.field == name


def test_duplicate_entries_are_refused(tmp_path, monkeypatch, built):
    entries = list(entries_of(built).items())
    data = raw_zip([Raw(n, d) for n, d in entries] + [Raw("manifest.json", b"{}")])
    error = refuse(tmp_path, monkeypatch, data)
    assert "twice" in error.message and error.field == "manifest.json"


def test_names_differing_only_in_case_are_refused(tmp_path, monkeypatch, built):
    entries = [Raw(n, d) for n, d in entries_of(built).items()]
    error = refuse(tmp_path, monkeypatch, raw_zip(entries + [Raw("Doc", b"1"), Raw("doc", b"2")]))
    assert "only in case" in error.message and error.field == "doc"


def test_names_differing_only_in_unicode_form_are_refused(tmp_path, monkeypatch, built):
    entries = [Raw(n, d) for n, d in entries_of(built).items()]
    extra = [Raw("documents/caf\u00e9", b"1"), Raw("documents/cafe\u0301", b"2")]
    error = refuse(tmp_path, monkeypatch, raw_zip(entries + extra))
    assert "Unicode form" in error.message


def test_a_zip_bomb_is_refused(tmp_path, monkeypatch, built):
    entries = [Raw(n, d) for n, d in entries_of(built).items()]
    error = refuse(tmp_path, monkeypatch, raw_zip(entries + [zeros_bomb(300)]))
    assert "zip bomb" in error.message and error.field == "zeros.bin"


def test_an_empty_file_is_refused(tmp_path, monkeypatch):
    error = refuse(tmp_path, monkeypatch, b"")
    assert error.message == "the file is empty; expected a panel package (.cmrcpkg)"


def test_a_truncated_package_is_refused(tmp_path, monkeypatch, built):
    error = refuse(tmp_path, monkeypatch, built[: len(built) * 2 // 3])
    assert error.message == "the file is damaged or incomplete"


def test_a_text_file_renamed_cmrcpkg_is_refused(tmp_path, monkeypatch):
    error = refuse(tmp_path, monkeypatch, "专家,中心\n王建国,C01\n".encode())
    assert error.message == "this is not a panel package (.cmrcpkg)"


def test_a_zip_without_manifest_is_not_a_package(tmp_path, monkeypatch):
    error = refuse(tmp_path, monkeypatch, rezip({"word/document.xml": b"<w/>"}))
    assert "not a panel package" in error.message and "no manifest" in error.message


def test_an_unsigned_package_is_refused(tmp_path, monkeypatch, built):
    entries = entries_of(built)
    del entries["manifest.sig"]
    assert "not signed" in refuse(tmp_path, monkeypatch, rezip(entries)).message


def test_missing_file_and_folder_are_reported(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_package(tmp_path / "none.cmrcpkg")
    with pytest.raises(InputError, match="folder"):
        read_package(tmp_path)


# -- refusals: content against the manifest ----------------------------------------------------------
def test_a_changed_document_byte_is_refused(tmp_path, monkeypatch, built):
    entries = entries_of(built)
    name = "documents/" + sha256_hex(REPORT)
    entries[name] = b"X" + entries[name][1:]
    error = refuse(tmp_path, monkeypatch, rezip(entries))
    assert "does not match the SHA-256" in error.message and error.field == name


def test_a_replaced_key_is_refused(tmp_path, monkeypatch, built):
    entries = entries_of(built)
    entries["expert-key.p12"] = b"another key"
    error = refuse(tmp_path, monkeypatch, rezip(entries))
    assert "does not match the SHA-256" in error.message and error.field == "expert-key.p12"


def test_an_extra_unlisted_entry_is_refused(tmp_path, monkeypatch, built):
    entries = entries_of(built)
    entries["documents/readme.txt"] = b"run me"
    error = refuse(tmp_path, monkeypatch, rezip(entries))
    assert "not listed in the manifest" in error.message
    assert error.field == "documents/readme.txt"


def test_a_missing_listed_entry_is_refused(tmp_path, monkeypatch, built):
    entries = entries_of(built)
    del entries["documents/" + sha256_hex(APPLICATION)]
    error = refuse(tmp_path, monkeypatch, rezip(entries))
    assert "missing from the package" in error.message


def test_a_manifest_edited_after_signing_is_refused(tmp_path, monkeypatch, built):
    entries = entries_of(built)
    manifest = json.loads(entries["manifest.json"])
    manifest["centres"][0]["metrics"][1]["value"] = "99999"
    entries["manifest.json"] = canonical_json(manifest)
    error = refuse(tmp_path, monkeypatch, rezip(entries))
    assert "changed after it was signed" in error.message


def test_a_manifest_not_in_canonical_form_is_refused(tmp_path, monkeypatch, built, ca):
    entries = entries_of(built)
    pretty = json.dumps(json.loads(entries["manifest.json"]), indent=1).encode()
    entries.update({"manifest.json": pretty, "manifest.sig": sign(ca.key, pretty)})
    error = refuse(tmp_path, monkeypatch, rezip(entries))
    assert "canonical form" in error.message


def test_a_manifest_with_a_duplicate_key_is_refused(tmp_path, monkeypatch, built, ca):
    entries = entries_of(built)
    twice = entries["manifest.json"][:-1] + b',"format":"cmrc-package/1"}'
    entries.update({"manifest.json": twice, "manifest.sig": sign(ca.key, twice)})
    error = refuse(tmp_path, monkeypatch, rezip(entries))
    assert "repeats the key format" in error.message


def test_a_package_signed_by_another_batch_is_refused(tmp_path, monkeypatch, content, other_ca,
                                                      p12, ca):
    content.batch = {**content.batch, "id": "B2026-0002"}
    content.expert_cert = keys.issue_expert_certificate(
        other_ca, "B2026-0002", "E01", "王建国", "泉城医科大学").cert
    out = tmp_path / "foreign.cmrcpkg"
    build_package(out, content, other_ca, p12)
    data = out.read_bytes()
    out.unlink()
    assert read_package(data).batch_id == "B2026-0002"   # consistent in itself
    error = refuse(tmp_path, monkeypatch, data, expected_ca=ca.cert)
    assert "signed by another batch" in error.message


def test_an_expert_certificate_from_another_ca_is_refused(tmp_path, monkeypatch, built, ca,
                                                          other_ca):
    entries = entries_of(built)
    manifest = json.loads(entries["manifest.json"])
    foreign = keys.issue_expert_certificate(other_ca, BATCH, "E01", "王建国", "泉城医科大学").cert
    manifest["expert"].update(cert_pem=keys.cert_pem(foreign),
                              cert_sha256=keys.fingerprint(foreign))
    error = refuse(tmp_path, monkeypatch, resign(manifest, ca, entries), expected_ca=ca.cert)
    assert "not issued by the batch that signed the package" in error.message


def test_an_expert_certificate_for_someone_else_is_refused(tmp_path, monkeypatch, built, ca):
    entries = entries_of(built)
    manifest = json.loads(entries["manifest.json"])
    manifest["expert"]["id"] = "E02"
    error = refuse(tmp_path, monkeypatch, resign(manifest, ca, entries))
    assert "names another batch or another expert" in error.message


def test_a_scheme_not_matching_its_hash_is_refused(tmp_path, monkeypatch, built, ca):
    entries = entries_of(built)
    manifest = json.loads(entries["manifest.json"])
    manifest["scheme"]["text"] += "# weights changed\n"
    error = refuse(tmp_path, monkeypatch, resign(manifest, ca, entries))
    assert "scheme text does not match" in error.message and error.field == "scheme.sha256"


def test_a_malformed_manifest_value_is_refused_naming_the_field(tmp_path, monkeypatch, built, ca):
    entries = entries_of(built)
    manifest = json.loads(entries["manifest.json"])
    manifest["centres"][0]["metrics"][0]["value"] = "1e9"
    error = refuse(tmp_path, monkeypatch, resign(manifest, ca, entries))
    assert "missing or malformed" in error.message
    assert error.field == "centres[0].metrics[0].value"


def test_a_document_of_the_wrong_size_is_refused(tmp_path, monkeypatch, built, ca):
    entries = entries_of(built)
    manifest = json.loads(entries["manifest.json"])
    manifest["centres"][0]["documents"][0]["size"] += 1
    error = refuse(tmp_path, monkeypatch, resign(manifest, ca, entries))
    assert "size does not match" in error.message


def test_a_package_of_a_newer_format_is_refused(tmp_path, monkeypatch, built, ca):
    entries = entries_of(built)
    manifest = json.loads(entries["manifest.json"])
    manifest["format"] = "cmrc-package/2"
    error = refuse(tmp_path, monkeypatch, resign(manifest, ca, entries))
    assert "cmrc-package/2" in error.message


def test_a_key_that_is_not_the_experts_is_refused_when_opened(built, ca, p12):
    other = keys.issue_expert_certificate(ca, BATCH, "E09", "张三", "某医院")
    opened = read_package(built)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keys, "KDF_ROUNDS", 1000)
        wrong = keys.protect(other, PASSWORD)
    swapped = pkg.OpenedPackage(**{**opened.__dict__, "expert_key_p12": wrong})
    with pytest.raises(InputError, match="does not belong to the expert"):
        swapped.open_key(PASSWORD)


def test_nothing_is_written_while_reading(tmp_path, monkeypatch, built):
    folder = tmp_path / "usb"
    folder.mkdir()
    monkeypatch.chdir(folder)
    path = Path("E01.cmrcpkg")
    path.write_bytes(built)
    read_package(path).open_key(PASSWORD)
    assert [p.name for p in folder.iterdir()] == ["E01.cmrcpkg"]
