"""Screens pushed over the stepper: the scenario picker, help, go to event."""
