"""The production cache on Redis (``lms.redis_cache``): one Redis client per connection pool,
kept across calls, and everything a cache does still done. The calls that reach a server run
against the Redis at TEST_REDIS_URL and are skipped where none answers."""

import os
import threading
import time
import uuid

import pytest
import redis

from lms.redis_cache import KeptClientRedisCache, KeptRedisCacheClient

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def cache_for(location=REDIS_URL):
    # A prefix of its own, so that nothing here meets another run's keys.
    return KeptClientRedisCache(location, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    cache = cache_for()
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{cache.key_prefix}:*"):
        client.delete(key)


def test_the_backend_uses_the_client_that_keeps_its_redis_clients():
    cache = cache_for()
    assert isinstance(cache._cache, KeptRedisCacheClient)


def test_one_redis_client_per_pool_is_made_and_kept_without_reaching_a_server():
    client = cache_for()._cache

    first = client.get_client()
    assert isinstance(first, redis.Redis)
    assert client.get_client() is first
    assert client.get_client(write=True) is first, "one server: reads and writes share its pool"
    assert first.connection_pool is client._get_connection_pool(write=True)


def test_with_replicas_writes_keep_the_primary_client_and_reads_a_replica_client():
    client = cache_for(["redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"])._cache

    writer = client.get_client(write=True)
    assert client.get_client(write=True) is writer
    reader = client.get_client()
    assert reader is not writer
    assert reader.connection_pool.connection_kwargs["db"] == 1
    assert writer.connection_pool.connection_kwargs["db"] == 0


def test_threads_asking_at_once_for_the_first_time_all_get_the_one_kept_client():
    client = cache_for()._cache
    made = []
    make_redis = client._client

    def slow_to_make(**kwargs):
        # Long enough for every other thread to arrive while the first client is being made;
        # with the lock they wait for it, whatever the timing, and one client is made.
        made.append(kwargs)
        time.sleep(0.05)
        return make_redis(**kwargs)

    client._client = slow_to_make
    start = threading.Barrier(8)
    seen = []

    def ask():
        start.wait()
        seen.append(client.get_client())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert len(made) == 1
    assert all(each is seen[0] for each in seen)
    assert client.get_client() is seen[0]


def test_every_cache_operation_still_works_through_the_kept_client(redis_cache):
    cache = redis_cache
    assert cache.get("missing", "default") == "default"
    cache.set("session", {"user": 7}, timeout=60)
    assert cache.get("session") == {"user": 7}
    assert cache.add("session", "other") is False
    assert cache.add("counter", 1) is True
    assert cache.incr("counter", 2) == 3
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert cache.touch("a", timeout=120) is True
    assert cache.delete("a") is True
    assert cache.get("a") is None
    assert cache.has_key("b")
    cache.delete_many(["b", "counter"])
    assert cache.get_many(["b", "counter"]) == {}


def test_a_value_written_by_one_backend_is_read_by_another_on_the_same_server(redis_cache):
    # Two app servers: two backends, two kept clients, one Redis.
    other = KeptClientRedisCache(REDIS_URL, {"KEY_PREFIX": redis_cache.key_prefix})
    redis_cache.set("throttle", 5, timeout=60)
    assert other.get("throttle") == 5
    assert other._cache.get_client() is not redis_cache._cache.get_client()
