"""Tests of the command line and serving."""
