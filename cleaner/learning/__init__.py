"""The parts of `scrapeclean learn` (cleaner/learn.py runs them in this order):

- keys.py      one line -> its masked key, prose features, and back to a regex
- groups.py    which site (group of pages) each page belongs to
- counting.py  pass 1: on how many pages of its group each key occurs, in bounded memory
- evidence.py  pass 2: for the recurring keys only, where and next to what they occur
- choose.py    which keys become rules (the guards), and how they are grouped into rules
- write.py     the rule file: TOML text, checked with the rules' own example test
"""
