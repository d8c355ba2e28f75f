"""Orders by chat (issue 4): intake with a confirm card, the clerk's life cycle, changes, cancellations."""
