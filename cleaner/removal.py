"""The record every stage emits for what it removed: what went, where, and which rule did it.

`--explain`, the JSONL report and the audit report are all built from these records, which is
what makes a false removal quick to trace to the rule that made it.
"""
from __future__ import annotations

from collections.abc import Callable
from .record import record


@record
class Removal:
    line_no: int  # 1-based line number in the normalised input
    rule_id: str  # e.g. "media.video-fallback"
    text: str  # the removed line, or the removed span for strip-span rules
    whole_line: bool  # False when only a span inside the line was cut

    def family(self) -> str:
        return self.rule_id.split(".", 1)[0]


# Stages take an optional callback rather than building lists, so a run that does not
# explain or report pays nothing for the records.
OnRemoval = Callable[[Removal], None]
