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


def test_id_number_tail_and_phone(people):
    assert names("002X") == ["张宏伟"]
    assert names("002x") == ["张宏伟"]  # lowercase x
    assert names("００２Ｘ") == ["张宏伟"]  # full-width
    assert names("5566") == ["赵红卫"]  # phone
    assert names("1390743") == ["赵红卫"]


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
