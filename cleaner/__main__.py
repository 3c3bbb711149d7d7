"""`python -m cleaner` is the `scrapeclean` command."""
from .entry import main

main()
