"""scrapeclean: turn raw scraped web pages into clean article text.

    from cleaner import clean_text, clean_lines, load_rules, Options

    rules = load_rules(["my-rules/"], select=["consent", "media"])
    clean = clean_text(page_text, rules)
    for line in clean_lines(open("page.txt", encoding="utf-8"), rules):
        ...
"""
# Set before the submodules load: the rule cache they may fill at import keys its file by it.
__version__ = "0.1.0"

from .errors import CleanerError, InputError, RuleError, UsageError
from .options import Options
from .pipeline import clean_binary, clean_chunks, clean_lines, clean_text
from .removal import Removal
from .rules.load import load_rules
from .rules.model import Rule, RuleSet

__all__ = [
    "CleanerError", "InputError", "Options", "Removal", "Rule", "RuleError", "RuleSet", "UsageError",
    "clean_binary", "clean_chunks", "clean_lines", "clean_text", "load_rules", "__version__",
]
