"""The managers' desk (Telegram Mini App): what is pure about it."""
