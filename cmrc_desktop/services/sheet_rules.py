"""What a signed payload must obey before it is merged: the batch's scheme, read from the
workspace — never what the payload says of itself.

A valid signature proves only who signed; a buggy or malicious client holding a genuine key
could sign a score of 999, an indicator the scheme does not have, or a time after its
certificate expired, and one such sheet would break grading for the whole batch. Each rule
here names what is wrong in words a secretary can act on; the first broken rule refuses
the file.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509

from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.exchange.sheet_content import shown_metrics
from cmrc_desktop.i18n import _, known_language
from cmrc_desktop.scoring.grading import score_problem
from cmrc_desktop.signing.payload import LAYOUT, SheetPayload

CLOCK_SLACK = dt.timedelta(minutes=10)   # clocks drift; a note only beyond this


def scheme_problem(payload: SheetPayload, scheme: Scheme) -> str | None:
    """Why ``payload`` does not fit ``scheme`` (the batch's), or None."""
    if payload.scheme_id != scheme.id:
        return _("the sheet names the scheme “{named}”, but the batch's scheme is “{scheme}”"
                 ).format(named=payload.scheme_id[:40], scheme=scheme.id)
    scored = {i.id: i for i in scheme.expert_indicators}
    unknown = sorted(set(payload.scores) - scored.keys())
    if unknown:
        return _("the sheet scores “{indicator}”, which is not an indicator the experts score "
                 "in this scheme").format(indicator=unknown[0][:40])
    missing = [i for i in scored if i not in payload.scores]
    if missing:
        return _("the sheet has no entry for indicator {indicator} of the scheme").format(
            indicator=missing[0])
    for ind_id, indicator in scored.items():
        value = payload.scores[ind_id]
        if value is None:
            continue
        problem = score_problem(indicator, value)
        if problem:
            return _("indicator {indicator}: {problem}").format(indicator=ind_id,
                                                                problem=problem)
    if payload.format != "cmrc-sheet/1":
        if payload.layout != LAYOUT:
            return _("the sheet was drawn with layout {layout}; this version of CMRC Desktop "
                     "draws layout {ours} (signed with version {program}); verify it with "
                     "the version that made it, or ask the expert to export it again"
                     ).format(layout=payload.layout, ours=LAYOUT,
                              program=payload.program[:20] or "?")
        if not known_language(payload.lang):
            return _("the sheet was drawn in a language this version does not know ({lang})"
                     ).format(lang=payload.lang[:20])
        if set(payload.evidence) != set(shown_metrics(scheme)):
            return _("the sheet's reported data are not the figures the scheme shows beside "
                     "its indicators")
    return None


def time_problem(payload: SheetPayload, signer: x509.Certificate) -> str | None:
    """Why the signing time is impossible for the certificate that signed, or None."""
    moment = payload.signed_moment
    if not signer.not_valid_before_utc <= moment <= signer.not_valid_after_utc:
        return _("the sheet says it was signed at {time}, when the expert's certificate was "
                 "not valid (valid from {start} to {end})").format(
            time=f"{moment:%Y-%m-%d %H:%M} UTC",
            start=f"{signer.not_valid_before_utc:%Y-%m-%d}",
            end=f"{signer.not_valid_after_utc:%Y-%m-%d}")
    return None


def clock_note(payload: SheetPayload, now: dt.datetime | None = None) -> str:
    """A note (never a refusal) when the sheet was signed later than this machine's clock
    says it is now: one of the two clocks is wrong."""
    now = now or dt.datetime.now(dt.UTC)
    moment = payload.signed_moment
    if moment - now > CLOCK_SLACK:
        return _("signed at {time} by the expert's clock, later than this computer's clock "
                 "({now}); one of the two clocks is wrong").format(
            time=f"{moment:%Y-%m-%d %H:%M} UTC", now=f"{now:%Y-%m-%d %H:%M} UTC")
    return ""
