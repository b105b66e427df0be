"""The panels of the stepper."""
