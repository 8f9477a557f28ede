import datetime as dt

import pytest

from changqing.members.models import Retiree
from changqing.members.selectors import retiree_search_q, to_simplified

from .helpers import person


def names(q):
    return sorted(Retiree.objects.filter(retiree_search_q(q)).values_list("name", flat=True))


@pytest.fixture
def people(tree):
    person(tree.a, "刘国强", dt.date(1948, 3, 5), 7)
    person(tree.a, "赵红卫", dt.date(1950, 1, 1), 8, phone="13907435566")
    return tree


@pytest.mark.parametrize("query", ["zhw", "ZHW", "zhanghongwei", "zhang hongwei", "zhangh", "张宏", "宏伟"])
def test_name_pinyin_and_initials(people, query):
    assert "张宏伟" in names(query)


def test_initials_are_exact_enough(people):
    assert names("zhw") == ["张宏伟", "赵红卫"]  # both are z-h-w; the list shows both
    assert names("lgq") == ["刘国强"]
    assert names("liuguo") == ["刘国强"]


def test_traditional_characters_find_simplified_names(people):
    assert to_simplified("張宏偉") == "张宏伟"
    assert names("張宏偉") == ["张宏伟"]
    assert names("劉國強") == ["刘国强"]


def test_full_id_number_and_full_phone_find_by_hash(people):
    full = Retiree.objects.get(name="张宏伟").id_number
    assert names(full) == ["张宏伟"]
    assert names(full.lower()) == ["张宏伟"]  # lowercase x
    assert names(full.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))) == ["张宏伟"]  # full-width
    assert names("13907435566") == ["赵红卫"]  # phone
    assert names("139 0743 5566") == ["赵红卫"]
    assert names("139-0743-5566") == ["赵红卫"]


def test_part_of_a_number_finds_nothing(people):
    """Encrypted at rest, a number matches only whole: the box cannot confirm digits one by one."""
    full = Retiree.objects.get(name="张宏伟").id_number
    for partial in (full[-4:], full[-4:].lower(), full[:6], full[:17], full[1:], "5566", "1390743", "3907435566",
                    "139074355", "139074355660"):
        assert names(partial) == [], partial


def test_list_page_and_api_search_by_part_of_a_number_find_nothing(people, client, secretary_a):
    client.force_login(secretary_a)
    full = Retiree.objects.get(name="张宏伟").id_number
    page = client.get("/retirees/", {"q": full[-4:]}).content.decode()
    assert "共 0 条" in page and "张宏伟</a>" not in page
    page = client.get("/retirees/", {"q": "1390743"}).content.decode()
    assert "共 0 条" in page and "赵红卫</a>" not in page
    page = client.get("/retirees/", {"q": "13907435566"}).content.decode()
    assert "赵红卫</a>" in page and "共 1 条" in page
    api = lambda q: sorted(r["name"] for r in client.get("/api/v1/retirees/", {"q": q}).json()["results"])  # noqa: E731
    assert api(full[-4:]) == [] and api("1390743") == [] and api("5566") == []
    assert api(full) == ["张宏伟"] and api("13907435566") == ["赵红卫"]


def test_empty_and_nonsense(people):
    assert len(names("  ")) == 4
    assert names("qqqqq") == []
    assert names("不存在的人") == []


def test_list_page_search_is_scoped(people, client, secretary_a):
    client.force_login(secretary_a)
    page = client.get("/retirees/", {"q": "zhw"}).content.decode()
    assert "张宏伟" in page and "赵红卫" in page
    page = client.get("/retirees/", {"q": "乙支部专有人"}).content.decode()
    assert "共 0 条" in page and ">乙支部专有人</a>" not in page  # another branch's person stays out of reach
    page = client.get("/retirees/", {"q": "張宏偉"}).content.decode()
    assert "张宏伟" in page and "赵红卫" not in page
