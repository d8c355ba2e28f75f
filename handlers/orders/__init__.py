"""Orders by chat: intake with a confirm card, the clerk's life cycle, changes, cancellations."""
