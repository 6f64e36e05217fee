"""Rate counters are shared by every worker process: in the database, or Redis when set."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from claimory.core import rate_window
from claimory.core.models import RateCounter
from claimory.core.rate_window import FixedWindow

ROOT = Path(__file__).resolve().parents[2]
NOW = 1_800_000_030.0  # 30 s into a minute


@pytest.fixture
def clock(monkeypatch):
    now = [NOW]
    monkeypatch.setattr(rate_window.time, "time", lambda: now[0])
    return now


@pytest.mark.django_db
def test_database_store_counts_and_refuses(clock, settings):
    settings.RATE_LIMIT_STORE = "database"
    window = FixedWindow("t", 60)
    assert [window.hit("1.2.3.4") for _ in range(3)] == [1, 2, 3]
    assert window.retry_after("1.2.3.4", 4) is None
    assert window.retry_after("1.2.3.4", 3) == 30
    assert window.retry_after("5.6.7.8", 3) is None
    assert RateCounter.objects.get(key="t:1.2.3.4:1800000000").count == 3
    clock[0] += 60
    assert window.retry_after("1.2.3.4", 3) is None


@pytest.mark.django_db
def test_long_subjects_are_stored_hashed(clock):
    window = FixedWindow("t", 60)
    email = "someone.with.a.rather.long.name@a-collision-shop-with-a-long-domain.example"
    window.hit(email)
    (row,) = RateCounter.objects.all()
    assert email not in row.key and len(row.key) < 80
    assert window.count(email) == 1


@pytest.mark.django_db
@pytest.mark.django_db
def test_take_counts_and_refuses_past_the_limit(clock):
    window = FixedWindow("t", 60)
    assert [window.take("a", 2) for _ in range(4)] == [None, None, 30, 30]
    assert window.count("a") == 4


@pytest.mark.django_db
def test_clear_forgets_the_current_window(clock):
    window = FixedWindow("t", 60)
    window.hit("a")
    window.clear("a")
    assert window.count("a") == 0


@pytest.mark.django_db
def test_ended_windows_are_swept(clock, monkeypatch):
    monkeypatch.setattr(rate_window, "SWEEP_ONE_IN", 1)
    window = FixedWindow("t", 60)
    window.hit("old")
    clock[0] += 180
    window.hit("new")
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["t:new:1800000180"]


def test_auto_store_is_redis_only_when_configured(settings):
    settings.RATE_LIMIT_STORE = "auto"
    settings.REDIS_URL = ""
    assert rate_window.store() == "database"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert rate_window.store() == "cache"


def test_cache_store_counts_the_same_way(clock, settings):
    settings.RATE_LIMIT_STORE = "cache"
    window = FixedWindow("cache-test", 60)
    window.clear("x")
    assert [window.hit("x") for _ in range(2)] == [1, 2]
    assert window.retry_after("x", 2) == 30
    window.clear("x")


_WORKER = textwrap.dedent("""
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "claimory.settings"
    django.setup()
    from claimory.core.rate_window import FixedWindow
    window = FixedWindow("shared", 3600)
    if sys.argv[1] == "create":
        from django.db import connection
        from claimory.core.models import RateCounter
        with connection.schema_editor() as editor:
            editor.create_model(RateCounter)
        sys.exit(0)
    refused = sum(window.take("203.0.113.9", int(sys.argv[1])) is not None
                  for _ in range(int(sys.argv[2])))
    print(refused)
""")


def test_two_processes_share_one_count(tmp_path):
    """Two worker processes taking from one limit of 50 at once: exactly 50 get through."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CLAIMORY_RATE_LIMIT_STORE")}
    env.update(CLAIMORY_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT / "src"))
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    run = [sys.executable, str(script)]
    subprocess.run([*run, "create"], env=env, check=True, timeout=60)  # noqa: S603
    workers = [subprocess.Popen([*run, "50", "40"], env=env, stdout=subprocess.PIPE,  # noqa: S603
                                text=True) for _ in range(2)]
    refused = [int(w.communicate(timeout=120)[0].strip()) for w in workers]
    # 80 tries against one limit of 50: a per-process count would have refused none, and a
    # read-then-write count could let a few extra through.
    assert sum(refused) == 30
    counted = subprocess.run(
        [sys.executable, "-c", "import os, django; "
         "os.environ['DJANGO_SETTINGS_MODULE'] = 'claimory.settings'; django.setup(); "
         "from claimory.core.rate_window import FixedWindow; "
         "print(FixedWindow('shared', 3600).count('203.0.113.9'))"],
        env=env, check=True, timeout=60, capture_output=True, text=True).stdout
    assert int(counted) == 80


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="PostgreSQL: separate connections from threads")
def test_parallel_connections_share_one_count_on_postgres():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    window = FixedWindow("pg-shared", 3600)

    def worker(_n):
        try:
            return sum(window.take("203.0.113.9", 50) is not None for _ in range(20))
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        refused = sum(pool.map(worker, range(4)))
    assert refused == 30
    assert window.count("203.0.113.9") == 80
