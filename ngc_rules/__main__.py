"""``python -m ngc_rules`` runs the ``ngc-rules`` command."""
import sys

from .cli import main

sys.exit(main())
