"""One measured job, run by the bench scripts in a fresh process; prints one JSON object.

    _child.py copy FILE        the baseline: plain buffered line-copy loop to /dev/null
    _child.py pipeline FILE    load_rules(), then clean_binary(FILE -> /dev/null)
    _child.py rules FILE       the same with the heuristic stage off (--no-heuristics)
    _child.py pipeline-fast FILE, rules-fast FILE   the same two on `--engine fast`
    _child.py patterns         the built-in rules' regex patterns (for the rg comparison)

Only the work itself is timed (time.perf_counter), not interpreter start-up or imports.
"""
import json
import os
import sys
import time


def copy(path):
    t0 = time.perf_counter()
    with open(path, "rb") as src, open(os.devnull, "wb") as out:
        for line in src:
            out.write(line)
    return {"seconds": time.perf_counter() - t0}


def rule_list(rules):
    for attr in ("rules", "all", "items"):
        v = getattr(rules, attr, None)
        if v is not None and not callable(v):
            return list(v)
    return list(rules)


def pipeline(path, heuristics=True, engine="default"):
    import io

    from cleaner import Options, load_rules
    from cleaner.pipeline import clean_binary
    t0 = time.perf_counter()
    rules = load_rules()
    options = Options(heuristics=heuristics, engine=engine)
    # Untimed: the rules compiled for this file's head (its site packs), as a batch process
    # has them after its first page; for --engine fast, the Hyperscan database built or loaded.
    with open(path, "rb") as src:
        clean_binary(io.BytesIO(src.read(1 << 16)), io.BytesIO(), rules, options)
    t1 = time.perf_counter()
    with open(path, "rb") as src, open(os.devnull, "wb") as dst:
        clean_binary(src, dst, rules, options, name=path)
    t2 = time.perf_counter()
    return {"seconds": t2 - t1, "load_seconds": t1 - t0, "rules": len(rule_list(rules))}


def patterns():
    """[kind, case_sensitive, pattern]: kind "line" (matched against a line's core) or "span"."""
    from cleaner import load_rules
    out = []
    for rule in rule_list(load_rules()):
        kind = "span" if getattr(rule, "action", "") == "strip-span" else "line"
        pats = list(getattr(rule, "patterns", None) or [])
        pats += [getattr(el, "pattern", el) for el in getattr(rule, "block", None) or []]
        out += [[kind, bool(getattr(rule, "case_sensitive", False)), p] for p in pats if p]
    return {"patterns": out}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "patterns":
        result = patterns()
    else:
        result = {"copy": copy, "pipeline": pipeline, "rules": lambda path: pipeline(path, heuristics=False),
                  "pipeline-fast": lambda path: pipeline(path, engine="fast"),
                  "rules-fast": lambda path: pipeline(path, heuristics=False, engine="fast")}[mode](sys.argv[2])
    print(json.dumps(result))
