"""The canonical payload of a scoresheet and its signature.

The payload is what an expert signs: batch, scheme hash, centre, expert, certificate
fingerprint, every score as a decimal string with its comment, the opinion, the revision
and the time. It is JSON with sorted keys and no insignificant white space, UTF-8, so
the same sheet always gives the same bytes, in the xlsx, in the PDF and in the database.

Text rule (one rule, applied before signing, so a re-saved file that keeps the visible
text keeps the signature valid): CR LF and CR become LF; every other control character
except tab and LF is removed; then Unicode NFC; white space is otherwise kept as typed.
"""

from __future__ import annotations

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

FORMAT = "cmrc-sheet/1"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str | None) -> str:
    if not text:
        return ""
    if text.isprintable():   # no control character at all: the common case, and fast
        return unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


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

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "batch": {"id": self.batch_id, "name": clean_text(self.batch_name)},
            "scheme": {"id": self.scheme_id, "sha256": self.scheme_sha256},
            "centre": {"id": self.centre_id, "name": clean_text(self.centre_name),
                       "host": clean_text(self.host)},
            "expert": {"id": self.expert_id, "name": clean_text(self.expert_name),
                       "institution": clean_text(self.institution),
                       "cert_sha256": self.cert_fingerprint},
            "revision": self.revision,
            "signed_at": self.signed_at,
            "scores": {ind: {"score": None if v is None else plain(v),
                             "comment": clean_text(self.comments.get(ind, ""))}
                       for ind, v in sorted(self.scores.items())},
            "opinion": {"achievements": clean_text(self.achievements),
                        "problems": clean_text(self.problems),
                        "recommendations": clean_text(self.recommendations)},
        }

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

    @classmethod
    def from_bytes(cls, data: bytes) -> SheetPayload:
        """Parse a payload; anything not exactly canonical is refused (no two spellings)."""
        try:
            obj = json.loads(data.decode("utf-8"))
            if obj.get("format") != FORMAT:
                raise ValueError("format")
            scores = {ind: (None if v["score"] is None else Decimal(v["score"]))
                      for ind, v in obj["scores"].items()}
            payload = cls(
                batch_id=obj["batch"]["id"], batch_name=obj["batch"]["name"],
                scheme_id=obj["scheme"]["id"], scheme_sha256=obj["scheme"]["sha256"],
                centre_id=obj["centre"]["id"], centre_name=obj["centre"]["name"],
                host=obj["centre"]["host"], expert_id=obj["expert"]["id"],
                expert_name=obj["expert"]["name"], institution=obj["expert"]["institution"],
                cert_fingerprint=obj["expert"]["cert_sha256"], revision=int(obj["revision"]),
                signed_at=obj["signed_at"], scores=scores,
                comments={ind: v["comment"] for ind, v in obj["scores"].items()},
                achievements=obj["opinion"]["achievements"],
                problems=obj["opinion"]["problems"],
                recommendations=obj["opinion"]["recommendations"])
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
            raise InputError(_("the embedded payload is not a CMRC scoresheet payload")) \
                from None
        if payload.canonical() != data:
            raise InputError(_("the embedded payload is not in canonical form"))
        return payload


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
