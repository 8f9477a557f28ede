"""Determinism, the allocation helpers and the province's streaming."""
import datetime as dt
import tracemalloc
from functools import lru_cache

import pytest
from django.db import transaction

from changqing.demo import generator, names
from changqing.demo.generator import DemoGenerator, allocate, weighted_pick
from changqing.members.models import Membership, Retiree, name_pinyin
from changqing.orgs.models import Organization


def _county_people(seed):
    with transaction.atomic():
        DemoGenerator(seed=seed, log_history=False).county()
        rows = list(Retiree.objects.order_by("id").values_list("name", "id_number", "organization__code"))
        transaction.set_rollback(True)
    return rows


def test_same_seed_same_people_other_seed_other_people(db):
    first, again, other = _county_people(11), _county_people(11), _county_people(12)
    assert len(first) == 1491
    assert first == again
    assert [r[1] for r in first] != [r[1] for r in other]
    assert sum(1 for a, b in zip(first, other) if a[0] == b[0]) < 0.2 * len(first)


def test_allocate_is_exact_and_respects_bounds():
    out = allocate(1000, [1, 2, 3, 40], minimum=3, cap=400)
    assert sum(out) == 1000 and min(out) >= 3 and max(out) <= 400
    assert allocate(10, [1, 1, 1]) in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
    with pytest.raises(ValueError):
        allocate(5, [1, 1], minimum=3)


def test_weighted_pick_respects_capacities():
    import random

    picks = weighted_pick(random.Random(1), [5, 0, 10], [1.0, 50.0, 1.0], 12)
    assert sum(picks) == 12 and picks[1] == 0 and picks[0] <= 5 and picks[2] <= 10


def test_add_years_keeps_leap_day_births_of_age():
    assert names.add_years(dt.date(1932, 2, 29), 18) == dt.date(1950, 3, 1)
    assert names.add_years(dt.date(1932, 3, 5), 18) == dt.date(1950, 3, 5)


def _province(members: int, batch: int):
    with transaction.atomic():
        gen = DemoGenerator(seed=5, log_history=False, batch_size=batch)
        tracemalloc.start()
        gen.province(target_members=members, members_per_city=200)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        counted = Membership.objects.count(), Retiree.objects.count()
        cities = Organization.objects.filter(parent__code="P").count()
        transaction.set_rollback(True)
    return gen, peak, counted, cities


def test_province_streams_in_bounded_batches(db, monkeypatch):
    """A small --members target: the exact member count, written in batches no larger
    than the batch size, and peak memory that does not grow with the data."""
    # A small pinyin cache, full in both runs, so only the generator's own memory is compared.
    monkeypatch.setattr(generator, "_pinyin", lru_cache(maxsize=64)(name_pinyin))
    _province(100, 100)  # warm caches (imports, compiled SQL) so both runs are measured alike
    small, small_peak, (small_members, _), small_cities = _province(400, 100)
    big, big_peak, (big_members, big_retirees), big_cities = _province(1600, 100)
    assert small_members == 400 and big_members == 1600
    assert (small_cities, big_cities) == (2, 8)
    assert max(big.batches) <= 100
    assert sum(big.batches) == big_retirees
    assert len(big.batches) >= big_retirees / 100
    # Four times the people, yet the peak is about the same (one batch and one district live at a time).
    assert big_peak < 1.5 * small_peak, (small_peak, big_peak)
