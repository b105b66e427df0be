"""backprop-stepper's engine: scenarios in, a lazy trace of every computation out.

No user-interface code lives here (a test enforces it): the terminal app, the command line and the
exporters are all clients of this package.
"""

from .catalog import bundled, find_bundled, resolve
from .errors import ScenarioError
from .loader import load_scenario, parse_scenario
from .quantities import Family, Key, Kind, Phase, parse_quantity_id, quantity_id
from .scenario import Scenario
from .trace import Event, Trace

__all__ = [
    "Event", "Family", "Key", "Kind", "Phase", "Scenario", "ScenarioError", "Trace", "bundled",
    "find_bundled", "load_scenario", "parse_quantity_id", "parse_scenario", "quantity_id", "resolve",
]
