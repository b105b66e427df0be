"""Tests of the Textual app: pilots, snapshots, painting, layout."""
