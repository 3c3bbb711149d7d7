"""The on-disk cache's large derived files (`cache.blob`: the fast engine's databases): kept
beside the cache, at most BLOBS_KEPT of them, the least recently used going first."""
from __future__ import annotations

import time

from cleaner.rules import cache


def test_blobs_in_use_are_kept_and_the_least_recently_used_go(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("SCRAPECLEAN_NO_CACHE", raising=False)
    folder = tmp_path / "scrapeclean"
    cache.remember_blob("hs-daily.db", b"the rule set used every day")
    for i in range(cache.BLOBS_KEPT + 3):  # one-off rule sets, each after the daily one was used
        time.sleep(0.02)  # (file times are only as fine as the kernel's clock tick)
        assert cache.blob("hs-daily.db") == b"the rule set used every day"
        time.sleep(0.02)
        cache.remember_blob(f"hs-trial{i:02d}.db", b"x")
    kept = sorted(f.name for f in folder.glob("hs-*.db"))
    assert len(kept) == cache.BLOBS_KEPT and "hs-daily.db" in kept
    assert "hs-trial00.db" not in kept and f"hs-trial{cache.BLOBS_KEPT + 2:02d}.db" in kept
    assert cache.blob("hs-trial00.db") is None
