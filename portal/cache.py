"""Django's Redis cache, kept answering while Redis does not.

The cache holds sign-in throttling, used two-factor codes and API rate limits. Django's
Redis backend raises when Redis is down, which would make every sign-in a 500. Here an
operation that cannot reach Redis goes to a local-memory cache of this process instead, and
for ``RETRY_AFTER`` seconds after such a failure Redis is not tried at all, so a page does
not wait on a connection timeout for each cache call. Throttling therefore carries on during
an outage, counted per process rather than across them, and Redis takes over again when it
is back.
"""

import logging
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
FAILURES = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _resilient(name):
    def method(self, *args, **kwargs):
        if time.monotonic() >= ResilientRedisCache.down_until:
            try:
                return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
            except FAILURES as exc:
                ResilientRedisCache.down_until = time.monotonic() + RETRY_AFTER
                logger.warning("Redis cache unavailable, using this process's memory: %s", exc)
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    down_until = 0.0  # shared by every instance in the process (one per thread)

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2,
                                        **params.get("OPTIONS", {})}}  # fmt: skip
        super().__init__(server, params)
        self._fallback = LocMemCache("portal-redis-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


for _name in (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
    "delete_many", "clear",
):  # fmt: skip
    setattr(ResilientRedisCache, _name, _resilient(_name))
