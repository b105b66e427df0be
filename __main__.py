"""`python -m backprop_stepper [SCENARIO]`: the same as the `backprop-stepper` command.

The repository's top-level folders (core/, tui/, scenarios/) install as the subpackages of
`backprop_stepper`; this file is that package's only module of its own.
"""

import sys

from backprop_stepper.tui.launch import main

sys.exit(main())
