"""The signed PDF scoresheet: written by one expert's key, read back and verified against
the batch CA, and every kind of tampering refused in plain words."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.exchange import sheet_pdf
from cmrc_desktop.exchange.pdf_fonts import font_path
from cmrc_desktop.exchange.sheet_content import (
    SheetContent,
    build_sheet_content,
    shown_metrics,
)
from cmrc_desktop.exchange.sheet_pdf import PAYLOAD_NAME, read_sheet_pdf, write_sheet_pdf
from cmrc_desktop.i18n import set_language
from cmrc_desktop.scoring.builtin import builtin_scheme, catalog
from cmrc_desktop.signing import keys
from cmrc_desktop.signing.payload import SheetPayload

BATCH = "B2026-SD"
BATCH_NAME = "2026年度山东省临床医学研究中心绩效评估"
CENTRE_NAME = "山东省心血管病临床医学研究中心"


# -- fixtures: one batch CA, one expert, one full sd-perf-5d sheet ----------------------------
@pytest.fixture(scope="module")
def ca() -> keys.KeyPair:
    return keys.make_batch_ca(BATCH, BATCH_NAME)


@pytest.fixture(scope="module")
def expert(ca) -> keys.KeyPair:
    return keys.issue_expert_certificate(ca, BATCH, "E007", "王建国", "北京协和医院")


def make_payload(expert: keys.KeyPair, *, long_texts: bool = False,
                 drawn: bool = True) -> SheetPayload:
    """A full sd-perf-5d payload; ``drawn``: signed with :func:`signature_png`."""
    scheme = builtin_scheme("sd-perf-5d")
    metrics = {m.id: Decimal(10 + n) for n, m in enumerate(catalog().metrics)}
    scores, comments = {}, {}
    for i, ind in enumerate(scheme.indicators):
        scores[ind.id] = (ind.max * Decimal("0.8")).quantize(Decimal("0.5"))
        if i % 4 == 0:
            comments[ind.id] = "佐证材料齐全，数据可信；建议补充近三年对比。"
    if long_texts:
        comments["A1"] = "材料翔实，但部分数据缺少佐证材料。" * 150
    return SheetPayload(
        batch_id=BATCH, batch_name=BATCH_NAME, scheme_id=scheme.id,
        scheme_sha256=scheme.sha256, centre_id="SD-C012", centre_name=CENTRE_NAME,
        host="山东大学齐鲁医院", expert_id="E007", expert_name="王建国",
        institution="北京协和医院", cert_fingerprint=keys.fingerprint(expert.cert),
        revision=2, signed_at="2026-03-18T01:30:00Z", scores=scores, comments=comments,
        evidence={m: metrics.get(m) for m in shown_metrics(scheme)},
        signature_png=hashlib.sha256(signature_png()).hexdigest() if drawn else "",
        achievements=("牵头制定指南2项，协同网络覆盖全省16个地市。\n生物样本库规模持续扩大。"
                      * (60 if long_texts else 1)),
        problems="成果转化不足；部分网络成员单位参与度不高 <b>&amp; 100%</b>。",
        recommendations="加强与企业合作推动成果转化。")


def make_content(payload: SheetPayload) -> SheetContent:
    return build_sheet_content(payload, builtin_scheme("sd-perf-5d"), catalog())


def signature_png() -> bytes:
    image = Image.new("RGBA", (900, 300), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(60, 200), (180, 80), (300, 220), (460, 70), (640, 200),
                                (840, 110)], fill=(20, 20, 90, 255), width=9)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def content(expert) -> SheetContent:
    set_language("zh_CN")      # the document as the expert prints it: Chinese
    try:
        return make_content(make_payload(expert))
    finally:
        set_language("en")


@pytest.fixture(scope="module")
def signed(tmp_path_factory, content, expert) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "sheet.pdf"
    set_language("zh_CN")
    try:
        write_sheet_pdf(path, content, expert, signature_png=signature_png())
    finally:
        set_language("en")
    return path


@pytest.fixture
def copy(signed, tmp_path) -> Path:
    """A private copy of the signed sheet, free to be tampered with."""
    return Path(shutil.copy(signed, tmp_path / "copy.pdf"))


def refused(path: Path, ca: keys.KeyPair) -> str:
    with pytest.raises(InputError) as info:
        read_sheet_pdf(path, trust_root=ca.cert)
    assert info.value.file == str(path)
    return info.value.message


# -- the round trip ---------------------------------------------------------------------------
def test_round_trip_returns_the_signed_payload_and_the_signer(signed, content, ca, expert):
    result = read_sheet_pdf(signed, trust_root=ca.cert)
    assert result.payload == content.payload.canonical()
    assert SheetPayload.from_bytes(result.payload).digest == content.payload.digest
    assert keys.fingerprint(result.signer) == keys.fingerprint(expert.cert)
    assert [keys.fingerprint(c) for c in result.chain] == [keys.fingerprint(ca.cert)]
    assert result.trusted
    assert result.signed_at is not None and result.signed_at.tzinfo is not None


def test_the_signature_is_pades_over_the_entire_file_with_the_full_chain(signed, ca):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    with signed.open("rb") as fh:
        reader = PdfFileReader(fh)
        (sig,) = reader.embedded_signatures
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        root = asn1_x509.Certificate.load(ca.cert.public_bytes(serialization.Encoding.DER))
        status = validate_pdf_signature(sig, ValidationContext(
            trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"))
        assert status.intact and status.valid and status.trusted
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert status.md_algorithm == "sha256"
        in_cms = {c.chosen.sha256.hex() for c in sig.signed_data["certificates"]}
        assert keys.fingerprint(ca.cert) in in_cms and len(in_cms) == 2


def test_the_visible_signature_sits_on_the_last_page(signed):
    with signed.open("rb") as fh:
        reader = PdfFileReader(fh)
        (sig,) = reader.embedded_signatures
        annot = sig.sig_field
        kids = reader.root["/Pages"]["/Kids"]
        assert reader.root["/Pages"]["/Count"] == len(kids) >= 2
        x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
        assert x2 - x1 > 200 and y2 - y1 > 60
        assert 0 < x1 < x2 < 595 and 0 < y1 < y2 < 842
        assert "/AP" in annot
        assert annot.raw_get("/P").idnum == kids.raw_get(len(kids) - 1).idnum


def test_the_payload_is_attached_as_a_json_file(signed, content):
    with signed.open("rb") as fh:
        reader = PdfFileReader(fh)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        assert names[0] == PAYLOAD_NAME
        stream = names[1]["/EF"]["/F"]
        assert stream["/Subtype"] == "/application/json"
        assert stream.data == content.payload.canonical()


def test_without_a_trust_root_the_sheet_reads_but_is_not_called_trusted(signed, content):
    result = read_sheet_pdf(signed)
    assert not result.trusted
    assert result.payload == content.payload.canonical()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_text_is_chinese_and_extractable(signed, content):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(signed), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    squeezed = "".join(text.split())
    assert "".join(content.title.split()) in squeezed
    assert CENTRE_NAME in squeezed
    assert "平台建设与共享" in squeezed and "建设效益" in squeezed
    assert content.fingerprint in squeezed
    assert "王建国" in squeezed


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_labels_are_chinese_by_default(signed):
    from cmrc_desktop.i18n import _

    set_language("zh_CN")
    try:
        labels = [_(m) for m in ("Dimension", "Expert score", "Review opinion",
                                 "Expert signature")]
    finally:
        set_language("en")
    if labels[0] == "Dimension":
        pytest.skip("the zh_CN catalogue does not hold the scoresheet labels yet")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(signed), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    squeezed = "".join(text.split())
    assert labels == ["维度", "专家评分", "评审意见", "专家签名"]
    assert all(label in squeezed for label in labels)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_every_font_is_the_bundled_one_embedded_as_a_subset(signed):
    out = subprocess.run(["pdffonts", str(signed)], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    assert out
    for line in out:
        assert "WenQuanYiMicroHei" in line, line
        assert line.split()[-5:-2] == ["yes", "yes", "yes"], line   # emb sub uni


def test_the_bundled_font_ships_with_its_licence():
    assert font_path().is_file()
    licence = (font_path().parent / "LICENSE-wqy-microhei.txt").read_text("utf-8")
    assert "Apache License" in licence and "Font exception" in licence


def test_a_sheet_without_a_drawing_and_with_long_texts_spans_pages(tmp_path, expert, ca):
    payload = make_payload(expert, long_texts=True)
    path = tmp_path / "long.pdf"
    write_sheet_pdf(path, make_content(payload), expert)
    result = read_sheet_pdf(path, trust_root=ca.cert)
    assert result.payload == payload.canonical()
    with path.open("rb") as fh:
        reader = PdfFileReader(fh)
        assert reader.root["/Pages"]["/Count"] >= 3


def test_a_failed_write_leaves_the_destination_untouched(tmp_path, content, expert):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(b"the previous export")
    with pytest.raises(InputError, match="not a readable image"):
        write_sheet_pdf(path, content, expert, signature_png=b"not a png")
    assert path.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.pdf"]


def test_writing_replaces_an_earlier_export(tmp_path, content, expert, ca):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(b"old")
    write_sheet_pdf(path, content, expert)
    assert read_sheet_pdf(path, trust_root=ca.cert).payload == content.payload.canonical()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.pdf"]


# -- refusals ---------------------------------------------------------------------------------
def test_a_flipped_byte_in_the_signed_content_is_refused(copy, ca):
    data = bytearray(copy.read_bytes())
    at = data.index(b"CMRC Desktop")    # the producer string in the signed first revision
    data[at + 5] ^= 0x01
    copy.write_bytes(bytes(data))
    assert refused(copy, ca) == "the PDF was modified after signing"


@pytest.mark.parametrize("where", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_a_flipped_byte_anywhere_is_refused(copy, ca, where):
    data = bytearray(copy.read_bytes())
    data[int(len(data) * where)] ^= 0x20
    copy.write_bytes(bytes(data))
    refused(copy, ca)


def test_an_incremental_update_of_the_metadata_is_refused(copy, ca):
    with copy.open("rb+") as fh:
        writer = IncrementalPdfFileWriter(fh)
        writer.root["/Lang"] = generic.TextStringObject("en")
        writer.update_root()
        writer.document_meta.title = "altered"
        writer.write_in_place()
    assert refused(copy, ca) == "the PDF was modified after signing"


def test_an_incremental_update_adding_an_annotation_is_refused(copy, ca):
    with copy.open("rb+") as fh:
        writer = IncrementalPdfFileWriter(fh)
        page_ref = writer.find_page_for_modification(0)[0]
        note = generic.DictionaryObject({
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
            generic.pdf_name("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (100, 100, 120, 120)]),
            generic.pdf_name("/Contents"): generic.TextStringObject("分数改为满分"),
        })
        writer.register_annotation(page_ref, writer.add_object(note))
        writer.write_in_place()
    assert refused(copy, ca) == "the PDF was modified after signing"


@pytest.mark.parametrize("tail", [b"\n", b"junk", b"\x00" * 16])
def test_bytes_after_the_end_of_the_file_are_refused(copy, ca, tail):
    copy.write_bytes(copy.read_bytes() + tail)
    assert refused(copy, ca) == "the PDF was modified after signing"


def test_a_second_end_of_file_marker_is_refused(copy, ca):
    copy.write_bytes(copy.read_bytes() + b"\n%%EOF\n")
    assert refused(copy, ca) in ("the PDF was modified after signing", "the PDF file is damaged")


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.99])
def test_a_truncated_file_is_refused(copy, ca, keep):
    data = copy.read_bytes()
    copy.write_bytes(data[:int(len(data) * keep)])
    refused(copy, ca)


def test_an_empty_file_is_refused(tmp_path, ca):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert refused(path, ca) == "the file is empty"


def test_a_csv_renamed_pdf_is_refused(tmp_path, ca):
    path = tmp_path / "scores.pdf"
    path.write_text("centre,expert,A1\nSD-C012,E007,5\n", "utf-8")
    assert refused(path, ca) == "not a PDF file"


def test_a_missing_file_is_refused(tmp_path, ca):
    with pytest.raises(InputError, match="does not exist"):
        read_sheet_pdf(tmp_path / "nowhere.pdf", trust_root=ca.cert)


def test_a_link_to_a_device_is_refused_before_it_is_read(tmp_path, ca):
    link = tmp_path / "endless.pdf"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="device"):
        read_sheet_pdf(link, trust_root=ca.cert)


def test_garbage_after_a_pdf_header_is_refused_as_damaged(tmp_path, ca):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    assert refused(path, ca) == "the PDF file is damaged"


def test_an_unsigned_pdf_is_refused(tmp_path, ca, content):
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(sheet_pdf._Layout(content).build())
    assert refused(path, ca) == "the PDF is not signed"


def test_a_sheet_signed_by_a_key_the_batch_did_not_certify_is_refused(tmp_path, ca, content):
    # same batch id, same names: only the key differs
    rogue_ca = keys.make_batch_ca(BATCH, BATCH_NAME)
    rogue = keys.issue_expert_certificate(rogue_ca, BATCH, "E007", "王建国", "北京协和医院")
    path = tmp_path / "rogue.pdf"
    write_sheet_pdf(path, content, rogue, signature_png=signature_png())
    assert read_sheet_pdf(path).payload == content.payload.canonical()   # intact on its own
    assert refused(path, ca) == "signed by a certificate the batch did not issue"


def test_a_self_signed_signer_is_refused(tmp_path, ca, content):
    alone = keys.make_batch_ca(BATCH, "王建国")      # a self-signed certificate, no chain
    path = tmp_path / "alone.pdf"
    write_sheet_pdf(path, content, alone)
    assert refused(path, ca) == "signed by a certificate the batch did not issue"


def test_a_sheet_signed_by_the_batch_ca_itself_is_refused(tmp_path, ca, content):
    path = tmp_path / "by-ca.pdf"
    write_sheet_pdf(path, content, ca)
    assert refused(path, ca) == "signed by a certificate the batch did not issue"


def test_an_expired_expert_certificate_is_told_apart(tmp_path, ca, expert, content):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.UTC)
    old = (x509.CertificateBuilder().subject_name(expert.cert.subject)
           .issuer_name(ca.cert.subject).public_key(expert.key.public_key())
           .serial_number(x509.random_serial_number())
           .not_valid_before(now - dt.timedelta(days=30))
           .not_valid_after(now - dt.timedelta(days=1)))
    for ext in expert.cert.extensions:
        old = old.add_extension(ext.value, ext.critical)
    pair = keys.KeyPair(expert.key, old.sign(ca.key, hashes.SHA256()), (ca.cert,))
    path = tmp_path / "expired.pdf"
    write_sheet_pdf(path, content, pair)
    assert refused(path, ca).startswith("the signer's certificate was issued by the batch "
                                        "but is not valid now")


def test_a_second_signature_is_refused(copy, ca, expert):
    from pyhanko.sign import fields, signers

    signer = sheet_pdf._simple_signer(expert)
    with copy.open("rb+") as fh:
        writer = IncrementalPdfFileWriter(fh)
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="Second", md_algorithm="sha256",
                                         subfilter=fields.SigSeedSubFilter.PADES),
            signer=signer).sign_pdf(writer, in_place=True)
    assert refused(copy, ca) == "the PDF carries 2 signatures; a scoresheet carries exactly one"


def test_a_signed_pdf_without_the_payload_is_refused(tmp_path, ca, expert, content):
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(sheet_pdf._Layout(content).build()))
    out = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256",
                                     subfilter=fields.SigSeedSubFilter.PADES),
        signer=sheet_pdf._simple_signer(expert)).sign_pdf(writer)
    path = tmp_path / "bare.pdf"
    path.write_bytes(out.getvalue())
    assert refused(path, ca) == "the embedded payload is missing"
