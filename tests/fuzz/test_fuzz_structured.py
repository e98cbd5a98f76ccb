"""Short structure-aware fuzz run (CI): the presentation changes of
``tests/fuzz/structured.py`` on genuine signed sheets, made without the key and with the
expert's genuine key. A change a person would see is refused; nothing is accepted with a
payload other than the original. The long run is ``bench/fuzz_long.py --structured``."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmrc_desktop.exchange.sheet_xlsx import read_sheet_xlsx
from cmrc_desktop.services.verify import BatchContext, verify_file
from cmrc_desktop.services.workspace import open_workspace
from tests.fuzz.structured import pdf_tampers, workbook_mutants
from tests.hostile.forge import expert_key, genuine, payload_of, signed_parts

SETTINGS = settings(max_examples=80, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def test_a_visible_change_to_a_workbook_is_refused_with_or_without_the_key(batch, tmp_path):
    path = genuine(batch, "E02")
    sheet = read_sheet_xlsx(path)
    pair = expert_key(batch, "E02")
    original = path.read_bytes()
    signed_payload = payload_of(path).canonical()
    seen: Counter = Counter()
    with open_workspace(batch / "secretary") as ws:
        context = BatchContext.of(ws)

        @SETTINGS
        @given(data=st.data())
        def case(data):
            mutant = data.draw(workbook_mutants(
                original, lambda parts: signed_parts(sheet, pair, parts)))
            result = verify_file(tmp_path / "case.xlsx", context=context, data=mutant.data)
            seen[(mutant.kind, result.ok)] += 1
            if result.ok:
                assert result.payload.canonical() == signed_payload
                assert not mutant.visible, f"forged sheet accepted: {mutant.kind}"

        case()
    assert sum(n for (_kind, ok), n in seen.items() if not ok) > 40


def test_a_pdf_signing_step_that_draws_anything_is_refused(batch, tmp_path, monkeypatch):
    from pyhanko.pdf_utils import incremental_writer

    from tests.hostile.test_hostile_pdf import content_of, tampering_writer, write_pdf

    content = content_of(batch, payload_of(genuine(batch, "E02")))
    with open_workspace(batch / "secretary") as ws:
        context = BatchContext.of(ws)

        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(tamper=pdf_tampers())
        def case(tamper):
            kind, change = tamper
            with monkeypatch.context() as patch:
                patch.setattr(incremental_writer, "IncrementalPdfFileWriter",
                              tampering_writer(change))
                path = write_pdf(batch, tmp_path / "case.pdf", content)
            result = verify_file(path, context=context)
            assert not result.ok, f"forged PDF accepted: {kind}"

        case()
