"""Working in Telegram groups: store groups (门店群) and the clerks' desk group (跟单台)."""
