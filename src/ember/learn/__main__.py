"""``python -m ember.learn``: the learning track's command line."""
import sys

from .cli import main

sys.exit(main())
