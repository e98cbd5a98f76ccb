"""Small schemes for tests, written as a committee would write them."""

from __future__ import annotations

from cmrc_desktop.scoring.scheme_loader import parse_scheme

BASE = """
[scheme]
id = "t-small"
name = "测试方案"
name_en = "Test scheme"
version = "1"
kind = "performance"
total = 100

[aggregation]
method = "{method}"
trim = 1
trim_min_experts = 5
min_experts = {min_experts}
decimals = 2
disagreement = 15.0

[[grades]]
label = "优秀"
label_en = "Excellent"
min = 90
{share}

[[grades]]
label = "良好"
label_en = "Good"
min = 80

[[grades]]
label = "合格"
label_en = "Pass"
min = 60

[[grades]]
label = "不合格"
label_en = "Fail"
min = 0

[[dimensions]]
id = "A"
name = "建设效益"

[[dimensions]]
id = "B"
name = "临床产出"

[[indicators]]
id = "A1"
dimension = "A"
name = "平台"
max = 10
step = {step}

[[indicators]]
id = "A2"
dimension = "A"
name = "网络"
max = 10
step = {step}

[[indicators]]
id = "B1"
dimension = "B"
name = "成果"
max = 80
step = {step}

[[vetoes]]
id = "V1"
name = "弄虚作假"
"""


def small_scheme_text(method: str = "trimmed_mean", min_experts: int = 3, step: str = "0.01",
                      share: str = "") -> str:
    share_line = f"max_share = {share}" if share else ""
    return BASE.format(method=method, min_experts=min_experts, step=step, share=share_line)


def small_scheme(**kwargs):
    return parse_scheme(small_scheme_text(**kwargs), source="small.toml")


AUTO_EXTRA = """
[[indicators]]
id = "B2"
dimension = "B"
name = "指南（自动）"
max = 10
source = "metric:guidelines_led"
full_at = 3
"""


def auto_scheme():
    text = small_scheme_text().replace("max = 80", "max = 70").replace(
        'id = "t-small"', 'id = "t-auto"') + AUTO_EXTRA
    return parse_scheme(text, source="auto.toml")
