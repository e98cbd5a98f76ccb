"""PDF scoresheets signed with a genuine expert key whose pages show something other than
their payload (issue #14): the verifier draws the payload again and compares the pages
byte for byte, and lets the signing step add only the signature. Each trick is refused
naming the file, the page and the reason; nothing is written."""

from __future__ import annotations

import dataclasses
import io

import pytest

from cmrc_desktop.exchange import sheet_pdf
from cmrc_desktop.exchange.sheet_content import IndicatorRow, build_sheet_content
from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from tests.hostile.forge import drawn_signature, expert_key, genuine, payload_of
from tests.hostile.test_hostile_xlsx import refused_everywhere

WITH_KEY = "the PDF shows something other than what the expert signed"


def scheme_of(batch):
    with open_workspace(batch / "secretary") as ws:
        return ws.scheme


def content_of(batch, payload):
    from cmrc_desktop.scoring.builtin import catalog
    return build_sheet_content(payload, scheme_of(batch), catalog())


def write_pdf(batch, out, content, *, box=None):
    """``content`` drawn and signed as our program does, with its expert's real key."""
    payload = content.payload
    pair = expert_key(batch, payload.expert_id)
    png = drawn_signature(batch, payload)
    if box is None:
        sheet_pdf.write_sheet_pdf(out, content, pair, signature_png=png)
        return out
    document, page, _box = sheet_pdf.draw_pages(content)
    image = sheet_pdf._signature_image(png) if png else None
    out.write_bytes(sheet_pdf._sign(document, content, pair, image, page, box))
    return out


def test_a_genuine_pdf_made_from_the_payload_verifies(batch):
    payload = payload_of(genuine(batch, "E02"))
    path = write_pdf(batch, batch / "genuine.pdf", content_of(batch, payload))
    with open_workspace(batch / "secretary") as ws:
        result = verify_file(path, ws)
    assert result.ok and result.drawn, result.reason


def test_pages_showing_0_where_the_payload_says_otherwise_are_refused(batch, capsys):
    payload = payload_of(genuine(batch, "E02"))
    content = content_of(batch, payload)
    first = content.rows[0]
    assert first.score not in ("", "0")
    rows = (dataclasses.replace(first, score="0"), *content.rows[1:])
    forged = dataclasses.replace(content, rows=rows)
    path = write_pdf(batch, batch / "zero.pdf", forged)
    reason = refused_everywhere(batch, path, WITH_KEY, "page 1", capsys=capsys)
    assert "“0”" in reason and f"“{first.score}”" in reason


def test_a_changed_guidance_or_max_is_refused(batch, capsys):
    payload = payload_of(genuine(batch, "E02"))
    content = content_of(batch, payload)
    rows = tuple(IndicatorRow(**{**r.__dict__, "max": "60"}) if i == 0 else r
                 for i, r in enumerate(content.rows))
    path = write_pdf(batch, batch / "max.pdf", dataclasses.replace(content, rows=rows))
    refused_everywhere(batch, path, WITH_KEY, capsys=capsys)


def test_a_signature_moved_over_the_scores_is_refused(batch, capsys):
    payload = payload_of(genuine(batch, "E02"))
    content = content_of(batch, payload)
    path = write_pdf(batch, batch / "moved.pdf", content, box=(300, 500, 550, 584))
    refused_everywhere(batch, path, WITH_KEY, "moved or enlarged", capsys=capsys)


def tampering_writer(tamper):
    """pyHanko's incremental writer, with ``tamper(writer)`` done in the signing step
    (what a client holding the key could add before it signs)."""
    from pyhanko.pdf_utils import incremental_writer

    class Tampering(incremental_writer.IncrementalPdfFileWriter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            tamper(self)

    return Tampering


def add_free_text(writer):
    from pyhanko.pdf_utils import generic
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    annot = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
        generic.NameObject("/Rect"): generic.ArrayObject(
            [generic.FloatObject(v) for v in (400, 400, 440, 420)]),
        generic.NameObject("/Contents"): generic.TextStringObject("0"),
        generic.NameObject("/DA"): generic.pdf_string("/Helv 12 Tf 0 g")}))
    page[generic.NameObject("/Annots")] = generic.ArrayObject([annot])
    writer.update_container(page)


def replace_contents(writer):
    from pyhanko.pdf_utils import generic
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = writer.add_object(generic.StreamObject(stream_data=b"1 1 1 rg 0 0 600 800 re f"))
    page[generic.NameObject("/Contents")] = stream
    writer.update_container(page)


def open_action(writer):
    from pyhanko.pdf_utils import generic
    action = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/S"): generic.NameObject("/JavaScript"),
        generic.NameObject("/JS"): generic.TextStringObject("app.alert('0')")}))
    writer.root[generic.NameObject("/OpenAction")] = action
    writer.update_root()


def second_attachment(writer):
    from pyhanko.pdf_utils import embed
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string="scores.json", file_name="scores.json",
        embedded_data=embed.EmbeddedFileObject.from_file_data(writer, b'{"A1": "0"}')))


@pytest.mark.parametrize("tamper, words", [
    (add_free_text, "annotation"),
    (replace_contents, "changed page 1"),
    (open_action, "catalogue"),
    (second_attachment, "attachments"),
], ids=["annotation-over-a-score", "page-content-replaced", "javascript-on-open",
        "second-attachment"])
def test_a_signing_step_that_adds_more_than_the_signature_is_refused(batch, capsys,
                                                                     monkeypatch, tamper,
                                                                     words):
    from pyhanko.pdf_utils import incremental_writer

    payload = payload_of(genuine(batch, "E02"))
    content = content_of(batch, payload)
    with monkeypatch.context() as patch:
        patch.setattr(incremental_writer, "IncrementalPdfFileWriter",
                      tampering_writer(tamper))
        path = write_pdf(batch, batch / "tampered.pdf", content)
    refused_everywhere(batch, path, words, capsys=capsys)


def test_a_pdf_of_an_earlier_version_is_refused_with_a_sentence(batch, capsys):
    payload = dataclasses.replace(payload_of(genuine(batch, "E02")), format="cmrc-sheet/1")
    content = content_of(batch, payload)
    path = write_pdf(batch, batch / "v1.pdf", content)
    refused_everywhere(batch, path, "earlier version of CMRC Desktop", capsys=capsys)


def test_the_drawing_is_the_same_bytes_every_time():
    """The verifier's comparison rests on this: reportlab's invariant mode and the bundled
    font make one payload draw to one document."""
    from cmrc_desktop.exchange.sheet_pdf import _Layout
    from cmrc_desktop.signing import keys
    from tests.unit.exchange.test_sheet_pdf import make_content, make_payload

    ca = keys.make_batch_ca("B", "批次")
    expert = keys.issue_expert_certificate(ca, "B", "E007", "王建国", "北京协和医院")
    content = make_content(make_payload(expert))
    first = _Layout(content).build()
    assert _Layout(content).build() == first
    assert first.startswith(b"%PDF-") and io.BytesIO(first).getbuffer().nbytes > 10_000
