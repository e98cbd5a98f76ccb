"""Plausible, reproducible content for the demo workspace.

Institutions are fictional on purpose (泉城医科大学, 岱岳医学院 …): a demo that grades
real hospitals would put invented verdicts next to real names. Everything is drawn from
one ``random.Random(seed)``, so the same seed gives the same workspace.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from cmrc_desktop.domain.catalog import Catalog
from cmrc_desktop.domain.numbers import round_half_up
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.domain.workspace import Centre, Expert, MemberRole, NetworkMember

PROVINCE = "山东省"
CITIES = ["济南", "青岛", "烟台", "潍坊", "临沂", "济宁", "淄博", "泰安", "威海", "德州",
          "聊城", "滨州", "菏泽", "枣庄", "日照", "东营"]
UNIVERSITIES = ["泉城医科大学", "岱岳医学院", "海滨医科大学", "鲁中医学院", "黄河中医药大学",
                "琴岛大学医学部", "沂蒙医学院", "齐州医科大学"]
HOSPITAL_KINDS = ["第一附属医院", "第二附属医院", "附属医院", "附属肿瘤医院", "附属儿童医院"]
CITY_HOSPITALS = ["市中心医院", "市人民医院", "市第二人民医院", "市中医医院", "市妇幼保健院"]
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
GIVEN = ["建国", "志强", "海燕", "丽华", "文博", "晓明", "春梅", "立新", "学军", "雪松",
         "国栋", "秀兰", "振华", "明远", "婷", "磊", "静", "洋", "敏", "军", "红霞", "德胜",
         "宏伟", "玉珍", "思远", "瑞", "桂芳", "永强", "慧", "一鸣"]
TITLES = ["主任医师", "教授", "研究员", "主任医师、教授", "副主任医师"]
# one block of ten centres: mostly provincial, as in a provincial batch
LEVEL_BLOCK = ["provincial"] * 6 + ["provincial-sub", "provincial-sub", "city", "national-sub"]

ACHIEVEMENTS = ["牵头制定省级诊疗规范，基层推广成效明显。", "多中心临床研究入组进展顺利，队列随访规范。",
                "生物样本库规模扩大，对外共享机制初步建立。", "协同网络覆盖全省大部分地市，分中心运行良好。",
                "适宜技术推广培训覆盖县级医疗机构，社会效益明显。"]
PROBLEMS = ["成果转化数量偏少，转化机制有待完善。", "网络成员单位参与多中心研究的积极性不均衡。",
            "专职管理人员不足，年度报告数据口径不统一。", "竞争性科研经费占比偏低。",
            "临床研究数据质量控制体系有待加强。"]
ADVICE = ["加强与企业合作，推动产品与技术转化。", "完善网络成员单位考核与激励机制。",
          "加强专职队伍建设，规范年度数据填报。", "聚焦重大临床需求，凝练研究方向。",
          "加大对基层成员单位的培训与质控力度。"]


@dataclass
class DemoContent:
    centres: list[Centre]
    metrics: dict[str, dict[str, Decimal]]
    experts: list[Expert]
    declared_conflicts: list[tuple[str, str, str]]  # expert, centre, reason
    quality: dict[str, float] = field(default_factory=dict)


def _host(rng: random.Random, city: str) -> str:
    if rng.random() < 0.65:
        return rng.choice(UNIVERSITIES) + rng.choice(HOSPITAL_KINDS)
    return city + rng.choice(CITY_HOSPITALS)


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def make_content(rng: random.Random, catalog: Catalog, n_centres: int, n_experts: int,
                 year: int) -> DemoContent:
    fields = list(catalog.fields)
    rng.shuffle(fields)
    people: set[str] = set()
    centres, metrics, quality = [], {}, {}
    institutions: list[str] = []
    levels: list[str] = []
    for n in range(1, n_centres + 1):
        fld = fields[(n - 1) % len(fields)]
        if not levels:
            levels = rng.sample(LEVEL_BLOCK, len(LEVEL_BLOCK))
        level = levels.pop()
        city = rng.choice(CITIES)
        host = _host(rng, city)
        while host in institutions[-3:]:
            host = _host(rng, city)
        institutions.append(host)
        suffix = {"provincial": "", "provincial-sub": f"（{city}分中心）",
                  "national-sub": "（国家中心分中心）", "city": ""}[level]
        prefix = f"{city}市" if level == "city" else PROVINCE
        name = f"{prefix}{fld.name}临床医学研究中心{suffix}"
        if fld.subs and rng.random() < 0.5:
            sub = rng.choice(fld.subs)
            name = f"{prefix}{sub}临床医学研究中心{suffix}"
        else:
            sub = ""
        members = []
        for role, count in ((MemberRole.CORE, rng.randint(3, 6)),
                            (MemberRole.MEMBER, rng.randint(2, 5))):
            for _i in range(count):
                other = rng.choice(CITIES)
                inst = _host(rng, other)
                if inst != host and inst not in [m.institution for m in members]:
                    members.append(NetworkMember(inst, role))
        ident = f"C{n:03d}"
        centres.append(Centre(
            id=ident, name=name, level=level, field=fld.name, sub_field=sub, host=host,
            province=PROVINCE, city=city + "市", director=_person(rng, people),
            start_date=f"{year - rng.randint(2, 6)}-{rng.randint(1, 12):02d}-01",
            members=tuple(members)))
        q = rng.uniform(0.62, 0.97)
        quality[ident] = q
        metrics[ident] = _metrics(rng, catalog, q, len(members))
    experts = []
    for n in range(1, n_experts + 1):
        # about one expert in three works at an institution of some centre's network
        if rng.random() < 0.35 and centres:
            c = rng.choice(centres)
            inst = c.host if rng.random() < 0.5 or not c.members else \
                rng.choice(c.members).institution
        else:
            inst = rng.choice(UNIVERSITIES) + rng.choice(["", "第一附属医院", "第二附属医院"])
        experts.append(Expert(id=f"E{n:02d}", name=_person(rng, people), institution=inst,
                              title=rng.choice(TITLES), specialty=rng.choice(fields).name))
    declared = []
    if experts and centres:
        e = rng.choice(experts)
        c = rng.choice(centres)
        declared.append((e.id, c.id, "近三年曾与该中心主任合作承担科研项目"))
    return DemoContent(centres, metrics, experts, declared, quality)


def _metrics(rng: random.Random, catalog: Catalog, q: float, members: int
             ) -> dict[str, Decimal]:
    scale = {"network_members": 60, "core_members": 8, "promotion_members": 80,
             "cities_covered": 16, "sub_centres": 6, "core_staff": 120, "fulltime_managers": 5,
             "biobanks": 6, "biobank_samples": 150000, "cohorts": 8, "cohort_population": 30,
             "multicentre_led": 12, "drug_device_trials": 40, "new_technologies": 15,
             "guidelines_led": 6, "guidelines_adopted": 8, "patents_granted": 40,
             "product_certificates": 4, "software_copyrights": 12, "monographs": 6,
             "national_awards": 1, "provincial_awards": 4, "techniques_promoted": 20,
             "promotion_activities": 60, "trained_personnel": 8000, "remote_platforms": 3,
             "outreach_platforms": 4, "policy_advice_adopted": 5,
             "funding_competitive": 3000, "funding_host": 500}
    out = {}
    for metric in catalog.metrics:
        top = scale.get(metric.id, 10)
        value = top * q * rng.uniform(0.6, 1.3)
        if metric.id == "core_members":
            value = max(3, members // 2)
        if metric.unit in ("万元", "万人次"):
            out[metric.id] = round_half_up(Decimal(str(round(value, 1))), 1)
        else:
            out[metric.id] = Decimal(int(value))
    return out


def sheet_scores(rng: random.Random, scheme: Scheme, quality: float, bias: float,
                 outlier: bool) -> dict[str, Decimal]:
    """One expert's scores for one centre: quality ± the expert's bias ± noise."""
    scores = {}
    for ind in scheme.expert_indicators:
        share = quality + bias + rng.gauss(0, 0.05) - (0.22 if outlier else 0)
        share = min(1.0, max(0.2, share))
        raw = Decimal(str(round(share, 4))) * ind.max
        steps = round_half_up(raw / ind.step, 0)
        scores[ind.id] = min(ind.max, steps * ind.step)
    return scores


def opinion(rng: random.Random) -> tuple[str, str, str]:
    return rng.choice(ACHIEVEMENTS), rng.choice(PROBLEMS), rng.choice(ADVICE)
