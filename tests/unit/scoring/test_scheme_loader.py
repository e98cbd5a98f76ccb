"""Every rejection rule of GRADING.md, each with a message naming file and key."""

from __future__ import annotations

import pytest

from cmrc_desktop.domain.errors import SchemeError
from cmrc_desktop.paths import schemes_dir
from cmrc_desktop.scoring.builtin import builtin_schemes, catalog
from cmrc_desktop.scoring.scheme_loader import load_scheme_file, parse_scheme
from tests.unit.scoring.schemes import AUTO_EXTRA, small_scheme_text


def test_the_three_builtin_schemes_load():
    schemes = {s.id: s for s in builtin_schemes()}
    assert set(schemes) == {"sd-perf-5d", "nat-perf-2017", "application-review"}
    default = schemes["sd-perf-5d"]
    assert [d.name for d in default.dimensions] == ["建设效益", "临床产出", "临床研究",
                                                   "公共服务", "运行管理"]
    assert sum(i.max for i in default.indicators) == 100
    assert default.indicator("A1").step == default.indicator("A1").step.__class__("0.5")
    assert len(default.sha256) == 64
    assert [c.id for c in schemes["application-review"].checks][:3] == ["F1", "F2", "F3"]


def test_every_metric_named_by_a_builtin_scheme_is_in_the_catalogue():
    known = set(catalog().metric_ids)
    for scheme in builtin_schemes():
        for ind in scheme.indicators:
            assert set(ind.evidence) <= known, (scheme.id, ind.id)
        for check in scheme.checks:
            assert check.metric is None or check.metric in known


def test_catalogue_has_five_levels_and_28_fields():
    cat = catalog()
    assert len(cat.levels) == 5 and len(cat.fields) == 28 and len(cat.metrics) == 30
    assert cat.field("感染性疾病").subs[0] == "艾滋病"


def test_scheme_hash_is_of_the_exact_text():
    import hashlib

    path = schemes_dir() / "sd-perf-5d.toml"
    assert load_scheme_file(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


GOOD = small_scheme_text(step="0.5")


def swap(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, count)


BAD = {
    "repeated indicator id": (swap('id = "A2"', 'id = "A1"'), "indicators[2] (A1).id",
                              "repeats"),
    "unknown dimension": (swap('dimension = "B"', 'dimension = "Z"'), "indicators[3] (B1)"
                          ".dimension", "unknown dimension 'Z'"),
    "max zero": (swap("max = 10", "max = 0").replace("max = 80", "max = 90"),
                 "indicators[1] (A1).max", "greater than 0"),
    "max negative": (swap("max = 10", "max = -10").replace("max = 80", "max = 100"),
                     "indicators[1] (A1).max", "greater than 0"),
    "step does not divide max": (swap("max = 10\nstep = 0.5", "max = 10\nstep = 0.3"),
                                 "indicators[1] (A1).step", "does not divide"),
    "maxima do not sum to total": (swap("total = 100", "total = 99"), "scheme.total",
                                   "sum to 100"),
    "grades not decreasing": (swap("min = 80", "min = 95"), "grades[2] (良好).min",
                              "strictly decreasing"),
    "grades equal": (swap("min = 80", "min = 90"), "grades[2] (良好).min",
                     "strictly decreasing"),
    "last min not zero": (swap("min = 0", "min = 10"), "grades[4].min", "min = 0"),
    "max_share zero": (small_scheme_text(step="0.5", share="0"), "grades[1] (优秀).max_share",
                       "(0, 1]"),
    "max_share above one": (small_scheme_text(step="0.5", share="1.5"),
                            "grades[1] (优秀).max_share", "(0, 1]"),
    "trim_min_experts too small": (swap("trim_min_experts = 5", "trim_min_experts = 2"),
                                   "aggregation.trim_min_experts", "greater than 2"),
    "unknown method": (swap('method = "trimmed_mean"', 'method = "mode"'),
                       "aggregation.method", "unknown method 'mode'"),
    "bad source": (GOOD.replace("max = 80", "max = 70") + AUTO_EXTRA.replace(
        "metric:guidelines_led", "guidelines_led"), "indicators[4] (B2).source",
        "metric:<name>"),
    "full_at zero": (GOOD.replace("max = 80", "max = 70") + AUTO_EXTRA.replace(
        "full_at = 3", "full_at = 0"), "indicators[4] (B2).full_at", "greater than 0"),
    "repeated veto": (GOOD + '\n[[vetoes]]\nid = "V1"\nname = "重复"\n', "vetoes[2].id",
                      "repeats"),
    "repeated check": (GOOD + '\n[[checks]]\nid = "F1"\nname = "a"\n'
                       '\n[[checks]]\nid = "F1"\nname = "b"\n', "checks[2] (F1).id", "repeats"),
    "repeated dimension": (swap('id = "B"\nname = "临床产出"', 'id = "A"\nname = "临床产出"'),
                           "dimensions[2].id", "repeats"),
    "bad scheme id": (swap('id = "t-small"', 'id = "T Small"'), "scheme.id", "a-z"),
    "unknown kind": (swap('kind = "performance"', 'kind = "audit"'), "scheme.kind",
                     "unknown kind"),
    "missing total": (swap("total = 100\n", ""), "scheme.total", "missing key"),
    "max as text": (swap("max = 10", 'max = "ten"'), "indicators[1] (A1).max", "number"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_scheme_is_refused_naming_file_and_key(name):
    text, key, words = BAD[name]
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, source="my-scheme.toml")
    lines = str(info.value).splitlines()
    assert any(line.startswith(f"my-scheme.toml: {key}: ") and words in line
               for line in lines), lines


def test_broken_toml_names_the_line():
    with pytest.raises(SchemeError) as info:
        parse_scheme(GOOD.replace('name = "测试方案"', 'name = "测试方案'), source="x.toml")
    assert str(info.value).startswith("x.toml: not valid TOML") and "line 4" in str(info.value)


def test_not_utf8_is_refused():
    with pytest.raises(SchemeError, match="not UTF-8"):
        parse_scheme(GOOD.encode("gb18030"), source="gbk.toml")


def test_floats_never_enter_a_scheme():
    scheme = parse_scheme(small_scheme_text(step="0.1", share="0.2"))
    assert str(scheme.indicator("A1").step) == "0.1"
    assert str(scheme.grades[0].max_share) == "0.2"
    assert str(scheme.aggregation.disagreement) == "15.0"
