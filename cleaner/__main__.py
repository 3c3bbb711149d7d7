"""`python -m cleaner` is the `scrapeclean` command."""
from .cli import main

main()
