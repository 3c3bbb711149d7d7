"""The stop-word lists the heuristic stage measures prose by: right, and cheap to load (every
`scrapeclean` call in a shell loop pays for them)."""
import json
import os
import subprocess
import sys

from cleaner.stages import language

_PROBE = (
    "import sys, json; from cleaner.stages import language as L; lists = L.stop_lists(); "
    "print(json.dumps({'package_imported': 'stopwordsiso' in sys.modules, "
    "'en_the': 'the' in lists['en'], 'en_size': len(lists['en']), 'langs': len(lists)}))"
)


def _probe(cache_home) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    env.pop("SCRAPECLEAN_NO_CACHE", None)
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_lists_are_the_package_lists_less_numbers():
    import stopwordsiso

    lists = language.stop_lists()
    assert set(lists) == set(stopwordsiso.langs())
    assert {"the", "of", "and"} <= lists["en"] and {"der", "die", "und"} <= lists["de"]
    assert not any(w.isdigit() for words in lists.values() for w in words)


def test_second_process_gets_the_same_lists_from_the_cache_without_importing_the_package(tmp_path):
    first = _probe(tmp_path)
    second = _probe(tmp_path)
    assert any(tmp_path.joinpath("scrapeclean").iterdir()), "the first run wrote no cache"
    assert first == second
    assert second["langs"] >= 50 and second["en_the"] and second["en_size"] > 100
    assert second["package_imported"] is False
