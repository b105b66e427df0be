"""`python -m tui [SCENARIO]`: the same as the `backprop-stepper` command."""

import sys

from .launch import main

sys.exit(main())
