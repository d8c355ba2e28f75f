"""Reminders, escalations, fines and digests: derived from stored state and ``now`` by the sweep."""
