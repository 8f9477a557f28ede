"""A Redis cache that fails soft: with Redis down, reads miss and writes are dropped (issue 17).

The cache only speeds things up (job progress, cached sessions over the database), so an outage
must cost speed, never a page. Errors are logged once a minute at most, not per call.
"""
from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("changqing.cache")

_last_logged = [0.0]


def _outage_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _log(exc):
    now = time.monotonic()
    if now - _last_logged[0] > 60:
        _last_logged[0] = now
        logger.warning("Redis 缓存不可用，暂时绕过缓存：%s", exc)


def _soft(default):
    def wrap(name):
        def method(self, *args, **kwargs):
            try:
                return getattr(super(FailSoftRedisCache, self), name)(*args, **kwargs)
            except _outage_errors() as exc:
                _log(exc)
                return default() if callable(default) else default
        method.__name__ = name
        return method
    return wrap


class FailSoftRedisCache(RedisCache):
    pass


for _name, _default in {
    "get": None, "set": None, "add": False, "delete": False, "touch": False, "has_key": False,
    "get_many": dict, "set_many": list, "delete_many": None, "clear": None,
}.items():
    setattr(FailSoftRedisCache, _name, _soft(_default)(_name))


def _get(self, key, default=None, version=None):
    try:
        return RedisCache.get(self, key, default, version)
    except _outage_errors() as exc:
        _log(exc)
        return default


def _incr(self, key, delta=1, version=None):
    try:
        return RedisCache.incr(self, key, delta, version)
    except _outage_errors() as exc:
        _log(exc)
        raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc


FailSoftRedisCache.get = _get
FailSoftRedisCache.incr = _incr
