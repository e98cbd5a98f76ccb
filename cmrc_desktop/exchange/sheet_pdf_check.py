"""Does a signed PDF scoresheet show exactly what its payload draws to?

A valid signature only proves who signed the bytes; a client holding a genuine key could
draw a 0 where its payload says 6. So the verifier draws the payload again
(:func:`sheet_pdf.draw_pages`, byte for byte deterministic) and asks two questions:

* the file's first revision — everything a reader shows on the pages — must be exactly
  those bytes (compared as bytes: a white box over a score, a moved figure or another
  colour is as much a difference as another number; page and text are named by
  extracting both versions' text only when they differ);
* the signing revision that follows may add only what a signature adds: the signature
  field with its widget on the signature page, inside the signature box, the attached
  payload, and the metadata. It may not touch a page's content or resources, add
  actions, JavaScript, other annotations or attachments.
"""

from __future__ import annotations

import io

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.i18n import _

_CATALOG_ADDED = {"/AcroForm", "/Names", "/Extensions", "/Metadata", "/Version"}
_BOX_SLACK = 1.5           # points: pyHanko rounds the box it is given


def first_difference(expected: bytes, data: bytes) -> str:
    """The page and the first text where the received first revision differs from the
    one drawn from the payload (in words; for the refusal)."""
    try:
        from pypdf import PdfReader
    except ImportError:           # pragma: no cover - pypdf is a dependency
        return _("the pages are not the ones the signed data draws to")
    try:
        want = PdfReader(io.BytesIO(expected))
        got = PdfReader(io.BytesIO(data))
        if len(want.pages) != len(got.pages):
            return _("the document has {got} pages; the signed data draws {want}").format(
                got=len(got.pages), want=len(want.pages))
        for number, (mine, theirs) in enumerate(zip(want.pages, got.pages, strict=True),
                                                start=1):
            a = (mine.extract_text() or "").split()
            b = (theirs.extract_text() or "").split()
            if a != b:
                index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                             min(len(a), len(b)))
                signed = a[index] if index < len(a) else _("(nothing)")
                shown = b[index] if index < len(b) else _("(nothing)")
                return _("page {page} shows “{shown}” where the signed data has “{signed}”"
                         ).format(page=number, shown=shown[:60], signed=signed[:60])
            if mine.get_contents() and theirs.get_contents() and \
                    mine.get_contents().get_data() != theirs.get_contents().get_data():
                return _("page {page} is drawn differently from the signed data (the same "
                         "words, but not the same picture)").format(page=number)
    except Exception:  # noqa: BLE001 - the refusal stands; only its detail is lost
        pass
    return _("the pages are not the ones the signed data draws to")


def signing_revision_problem(reader, page_index: int | None,
                             box: tuple[int, int, int, int] | None) -> str | None:
    """Why the revision that carries the signature changes more than a signature does;
    None when it adds only the field, its widget (inside ``box`` on page ``page_index``
    when they are known), the attached payload and metadata."""
    from pyhanko.pdf_utils import generic

    xrefs = reader.xrefs
    if xrefs.total_revisions != 2:
        return _("the PDF was not signed in one step after it was written")
    old = reader.get_historical_resolver(0)
    root_ref = reader.trailer.raw_get("/Root")
    info_ref = reader.trailer.raw_get("/Info") if "/Info" in reader.trailer else None
    pages = _page_refs(reader)
    for ref in xrefs.explicit_refs_in_revision(1):
        if xrefs.get_introducing_revision(ref) != 0:
            continue                      # a new object: shown only if something uses it
        before, after = old(ref), reader.get_object(ref)
        if _same_ref(ref, info_ref):
            continue
        if _same_ref(ref, root_ref):
            problem = _catalog(before, after)
        elif any(_same_ref(ref, p) for p in pages):
            index = next(i for i, p in enumerate(pages) if _same_ref(ref, p))
            problem = _page(before, after, index, page_index, box, generic)
        else:
            problem = _("the signing step changed part of the document (object {id})").format(
                id=ref.idnum)
        if problem:
            return problem
    for index, ref in enumerate(pages):
        if index != page_index and "/Annots" in reader.get_object(ref) and box is not None:
            return _("page {page} carries annotations drawn over it").format(page=index + 1)
    return None


def _get(obj, key: str):
    """A value of a PDF dictionary, followed if it is a reference; None when absent."""
    return obj[key] if key in obj else None


def _same_ref(a, b) -> bool:
    return b is not None and getattr(a, "idnum", None) == getattr(b, "idnum", -1) and \
        getattr(a, "generation", None) == getattr(b, "generation", -1)


def _page_refs(reader) -> list:
    refs = []
    stack = [reader.root.raw_get("/Pages")]
    while stack and len(refs) < 2000:
        ref = stack.pop()
        node = ref.get_object()
        if _get(node, "/Type") == "/Pages":
            stack.extend(reversed(list(node.raw_get("/Kids"))))
        else:
            refs.append(ref)
    return refs


def _catalog(before, after) -> str | None:
    for key in set(before) | set(after):
        if key in _CATALOG_ADDED and key not in before:
            continue
        if key not in before or key not in after or before.raw_get(key) != after.raw_get(key):
            return _("the signing step changed the document's catalogue ({key})").format(
                key=str(key)[:30])
    names = _get(after, "/Names")
    if names is not None and set(names) != {"/EmbeddedFiles"}:
        return _("the PDF carries named actions or scripts besides the attached data")
    form = _get(after, "/AcroForm")
    if form is not None:
        if set(form) - {"/Fields", "/SigFlags", "/DA", "/DR"} or \
                len(_get(form, "/Fields") or ()) != 1:
            return _("the PDF's form holds more than the expert's signature")
    return None


def _page(before, after, index: int, page_index: int | None,
          box: tuple[int, int, int, int] | None, generic) -> str | None:
    for key in set(before) | set(after):
        if key == "/Annots" and key not in before:
            continue
        if key not in before or key not in after or before.raw_get(key) != after.raw_get(key):
            return _("the signing step changed page {page} ({key})").format(
                page=index + 1, key=str(key)[:30])
    annots = list(_get(after, "/Annots") or ())
    if not annots:
        return None
    if page_index is not None and index != page_index:
        return _("the signature was placed on page {page}, not where the sheet draws it"
                 ).format(page=index + 1)
    if len(annots) != 1:
        return _("page {page} carries annotations besides the signature").format(
            page=index + 1)
    widget = annots[0].get_object()
    if _get(widget, "/Subtype") != "/Widget" or _get(widget, "/FT") != "/Sig" or \
            "/A" in widget or "/AA" in widget:
        return _("page {page} carries an annotation that is not the signature").format(
            page=index + 1)
    if box is not None:
        rect = [float(v) for v in _get(widget, "/Rect") or ()]
        if len(rect) != 4 or any(abs(a - b) > _BOX_SLACK for a, b in zip(rect, box,
                                                                         strict=True)):
            return _("the signature on page {page} is moved or enlarged beyond its box"
                     ).format(page=index + 1)
    return None


def check_drawn(data: bytes, reader, drawn: tuple[bytes, int, tuple[int, int, int, int]]
                ) -> None:
    """Refuse the PDF unless its first revision is ``drawn``'s document and its signing
    revision adds only the signature (raises :class:`InputError`)."""
    document, page, box = drawn
    if not data.startswith(document):
        raise InputError(_("the PDF shows something other than what the expert signed: "
                           "{detail}").format(detail=first_difference(document, data)))
    problem = signing_revision_problem(reader, page, box)
    if problem:
        raise InputError(_("the PDF shows something other than what the expert signed: "
                           "{detail}").format(detail=problem))
