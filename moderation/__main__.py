"""`python -m moderation ...`: see `moderation.cli`."""

import sys

from .cli import main

sys.exit(main())
