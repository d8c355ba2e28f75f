"""Reminders, escalations, fines and digests (issue 6): derived from stored state and ``now`` by the sweep."""
