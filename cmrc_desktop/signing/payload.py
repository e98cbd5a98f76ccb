"""The canonical payload of a scoresheet and its signature.

The payload is what an expert signs: batch, scheme hash, centre, expert, certificate
fingerprint, every score as a decimal string with its comment, the opinion, the revision
and the time — and, from format 2 on, everything else the signed documents show besides
the scheme (the evidence figures as they were at signing, the declaration, the expert's
title, the hash of the drawn signature) with the layout and language they were drawn in, so
that a verifier can draw the documents again and compare. It is JSON with sorted keys and
no insignificant white space, UTF-8, so the same sheet always gives the same bytes, in the
xlsx, in the PDF and in the database (tests/unit/signing/test_payload_bytes.py pins them).

Text rule (one rule, applied before signing): CR LF and CR become LF; every other control
character except tab and LF is removed; then Unicode NFC; white space is otherwise kept as
typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.i18n import _

FORMAT_V1 = "cmrc-sheet/1"
FORMAT = "cmrc-sheet/2"
# The drawing of the signed documents (xlsx cells, PDF pages) from a payload. A verifier
# draws the payload again and compares, so a sheet is checked only against the layout it
# names; a change of layout gets the next number.
LAYOUT = 2
MAX_REVISION = 1_000_000
MAX_OFFSET = 14 * 60             # minutes from UTC of any clock on Earth
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SIGNED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
# a decimal as ``plain`` writes it, bounded: no sign, no exponent, no thousand digits
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,12})?", re.ASCII)


def clean_text(text: str | None) -> str:
    if not text:
        return ""
    if text.isprintable():   # no control character at all: the common case, and fast
        return unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


@dataclass(frozen=True)
class SignedDeclaration:
    """The expert's declaration before scoring, as signed and printed on the sheet: no
    conflict of interest and confidentiality (both required to score at all), and the
    answer to the integrity question with its note."""

    at: str                       # when it was declared, UTC, as ``signed_at``
    integrity_concern: bool = False
    note: str = ""

    def to_dict(self) -> dict:
        return {"at": self.at, "integrity_concern": self.integrity_concern,
                "note": clean_text(self.note)}


@dataclass(frozen=True)
class SheetPayload:
    batch_id: str
    batch_name: str
    scheme_id: str
    scheme_sha256: str
    centre_id: str
    centre_name: str
    host: str
    expert_id: str
    expert_name: str
    institution: str
    cert_fingerprint: str
    revision: int
    signed_at: str
    scores: dict[str, Decimal | None]
    comments: dict[str, str] = field(default_factory=dict)
    achievements: str = ""
    problems: str = ""
    recommendations: str = ""
    # -- format 2: everything the signed documents show besides the scheme ------------------
    format: str = FORMAT
    layout: int = LAYOUT
    lang: str = "zh_CN"                     # the language the documents are drawn in
    program: str = ""                       # the CMRC Desktop version that signed
    expert_title: str = ""                  # 职称
    evidence: dict[str, Decimal | None] = field(default_factory=dict)  # metric -> as shown
    declaration: SignedDeclaration | None = None
    signature_png: str = ""                 # sha256 of the drawn signature, "" if none
    utc_offset: int = 480                   # minutes: the signer's clock, for printed times

    def to_dict(self) -> dict:
        expert = {"id": self.expert_id, "name": clean_text(self.expert_name),
                  "institution": clean_text(self.institution),
                  "cert_sha256": self.cert_fingerprint}
        obj = {
            "format": self.format,
            "batch": {"id": self.batch_id, "name": clean_text(self.batch_name)},
            "scheme": {"id": self.scheme_id, "sha256": self.scheme_sha256},
            "centre": {"id": self.centre_id, "name": clean_text(self.centre_name),
                       "host": clean_text(self.host)},
            "expert": expert,
            "revision": self.revision,
            "signed_at": self.signed_at,
            "scores": {ind: {"score": None if v is None else plain(v),
                             "comment": clean_text(self.comments.get(ind, ""))}
                       for ind, v in sorted(self.scores.items())},
            "opinion": {"achievements": clean_text(self.achievements),
                        "problems": clean_text(self.problems),
                        "recommendations": clean_text(self.recommendations)},
        }
        if self.format == FORMAT_V1:
            return obj
        expert["title"] = clean_text(self.expert_title)
        obj.update({
            "layout": self.layout,
            "lang": self.lang,
            "program": self.program,
            "evidence": {m: None if v is None else plain(v)
                         for m, v in sorted(self.evidence.items())},
            "declaration": None if self.declaration is None else self.declaration.to_dict(),
            "signature_png": self.signature_png,
            "utc_offset": self.utc_offset,
        })
        return obj

    def canonical(self) -> bytes:
        # computed once: merging a thousand sheets asks for it several times each
        cached = self.__dict__.get("_canonical")
        if cached is None:
            cached = canonical_json(self.to_dict())
            object.__setattr__(self, "_canonical", cached)
        return cached

    @property
    def digest(self) -> str:
        cached = self.__dict__.get("_digest")
        if cached is None:
            cached = hashlib.sha256(self.canonical()).hexdigest()
            object.__setattr__(self, "_digest", cached)
        return cached

    @property
    def signed_moment(self) -> dt.datetime:
        return utc_moment(self.signed_at)

    def local(self, stamp: str) -> dt.datetime:
        """A UTC time of the payload (``signed_at``, the declaration's) on the signer's
        clock: what the documents print, the same on every machine that draws them."""
        return utc_moment(stamp).astimezone(dt.timezone(dt.timedelta(minutes=self.utc_offset)))


    @classmethod
    def from_bytes(cls, data: bytes) -> SheetPayload:
        """Parse a payload; anything not exactly canonical, or holding a value of the
        wrong kind (a revision of 2^63, a score of NaN, a date that is no date), is refused:
        the checks against the batch and its scheme come after, in the merge."""
        try:
            obj = json.loads(data.decode("utf-8"))
            if not isinstance(obj, dict):
                raise _Bad("")
            payload = _parse(obj)
        except _Bad as bad:
            if not bad.field:
                raise InputError(_("the embedded payload is not a CMRC scoresheet payload")) \
                    from None
            raise InputError(_("the embedded payload is not a valid CMRC scoresheet payload: "
                               "the field {field} is missing or holds a value of the wrong "
                               "kind").format(field=bad.field)) from None
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError,
                RecursionError):
            raise InputError(_("the embedded payload is not a CMRC scoresheet payload")) \
                from None
        if payload.canonical() != data:
            raise InputError(_("the embedded payload is not in canonical form"))
        return payload


def utc_moment(stamp: str) -> dt.datetime:
    """A payload's UTC time stamp (``2026-12-04T10:00:00Z``) as an aware datetime."""
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


class _Bad(ValueError):
    """A payload field missing or of the wrong kind; ``field`` is its dotted path."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.field = where


def _parse(obj: dict) -> SheetPayload:
    """The payload of ``obj`` (parsed JSON), or ``_Bad`` naming the first field that is
    missing or of the wrong kind for a payload of format 1 or 2."""
    fmt = obj.get("format")
    if fmt not in (FORMAT_V1, FORMAT):
        raise _Bad("")
    batch, scheme, centre, expert, opinion, scores = (
        _table(obj, key, key) for key in ("batch", "scheme", "centre", "expert", "opinion",
                                          "scores"))
    revision = obj.get("revision")
    if type(revision) is not int or not 1 <= revision <= MAX_REVISION:
        raise _Bad("revision")
    signed_at = _text(obj, "signed_at", "signed_at")
    try:
        if not _SIGNED_AT.fullmatch(signed_at):
            raise ValueError(signed_at)
        dt.datetime.strptime(signed_at, "%Y-%m-%dT%H:%M:%SZ")   # a real date and time
    except ValueError:
        raise _Bad("signed_at") from None
    values: dict[str, Decimal | None] = {}
    comments: dict[str, str] = {}
    for ind, entry in scores.items():
        where = f"scores.{ind[:40]}"
        if not isinstance(entry, dict):
            raise _Bad(where)
        values[ind] = _decimal(entry.get("score"), where + ".score")
        comments[ind] = _text(entry, "comment", where + ".comment")
    extra: dict = {"format": fmt}
    if fmt == FORMAT:
        layout = obj.get("layout")
        if type(layout) is not int:
            raise _Bad("layout")
        declared = obj.get("declaration", ())
        if declared is not None:
            declared = _table(obj, "declaration", "declaration")
            concern = declared.get("integrity_concern")
            at = _text(declared, "at", "declaration.at")
            if type(concern) is not bool or not _SIGNED_AT.fullmatch(at):
                raise _Bad("declaration")
            declared = SignedDeclaration(at, concern, _text(declared, "note",
                                                            "declaration.note"))
        png = _text(obj, "signature_png", "signature_png")
        if png and not _SHA256.fullmatch(png):
            raise _Bad("signature_png")
        offset = obj.get("utc_offset")
        if type(offset) is not int or not -MAX_OFFSET <= offset <= MAX_OFFSET:
            raise _Bad("utc_offset")
        extra.update(layout=layout, lang=_text(obj, "lang", "lang"),
                     program=_text(obj, "program", "program"),
                     expert_title=_text(expert, "title", "expert.title"),
                     evidence={m: _decimal(v, f"evidence.{m[:40]}")
                               for m, v in _table(obj, "evidence", "evidence").items()},
                     declaration=declared, signature_png=png, utc_offset=offset)
    return SheetPayload(
        batch_id=_text(batch, "id", "batch.id"), batch_name=_text(batch, "name", "batch.name"),
        scheme_id=_text(scheme, "id", "scheme.id"),
        scheme_sha256=_text(scheme, "sha256", "scheme.sha256"),
        centre_id=_text(centre, "id", "centre.id"),
        centre_name=_text(centre, "name", "centre.name"),
        host=_text(centre, "host", "centre.host"), expert_id=_text(expert, "id", "expert.id"),
        expert_name=_text(expert, "name", "expert.name"),
        institution=_text(expert, "institution", "expert.institution"),
        cert_fingerprint=_text(expert, "cert_sha256", "expert.cert_sha256"),
        revision=revision, signed_at=signed_at, scores=values, comments=comments,
        achievements=_text(opinion, "achievements", "opinion.achievements"),
        problems=_text(opinion, "problems", "opinion.problems"),
        recommendations=_text(opinion, "recommendations", "opinion.recommendations"),
        **extra)


def _text(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise _Bad(where)
    return value


def _table(obj: dict, key: str, where: str) -> dict:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise _Bad(where)
    return value


def _decimal(value: object, where: str) -> Decimal | None:
    """A score or figure as the payload writes it (``plain``), bounded in length so that
    no arithmetic ever meets a number of a thousand digits; NaN and infinity are no
    numbers here."""
    if value is None:
        return None
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise _Bad(where)
    return Decimal(value)


def canonical_json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def verify(public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    try:
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True
