"""Tests of the engine (core): values, trace format, teaching logic."""
