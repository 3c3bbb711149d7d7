"""Rules: what a rule is (model), how rule files become rules (load), how they match fast (matcher)."""
