"""English catalogue (by user setting /lang en)."""

TEXTS: dict[str, str] = {
    "role.sales": "sales",
    "role.clerk": "order clerk",
    "role.store_manager": "store manager",
    "role.manager": "manager",
    "role.admin": "admin",
    "onboarding.stranger": (
        "Hello! This is the order follow-up assistant, for registered staff of the company only.\n"
        "Ask your admin for an invitation code, then send: /start CODE"
    ),
    "onboarding.short": "You are not registered yet; ask your admin for an invitation code.",
    "start.registered": "Registered: {name}, role: {role}, store: {store}.",
    "start.already": "You are already registered: {name} ({role}). Send /help for your commands.",
    "invite.unknown": "This invitation code does not exist. Check it and send it again, or ask your admin for a new one.",
    "invite.used": "This invitation code has been used already; each code works once. Ask your admin for a new one.",
    "invite.expired": "This invitation code has expired. Ask your admin for a new one.",
    "invite.usage": "Usage: /invite ROLE [STORE]\nRoles: {roles}\nExample: /invite sales S1",
    "invite.needs_store": "A {role} belongs to a store: /invite ROLE STORE (see /stores)",
    "invite.created": (
        "Invitation created ({role}, store: {store}), valid for {hours} hours, usable once:\n"
        "Code: {code}\nLink: {link}\n"
        "Send the link to your colleague, or have them send the bot: /start {code}"
    ),
    "store.unknown": "There is no store with code {code}. Send /stores to list stores, or /stores add CODE NAME to create one.",
    "store.usage": "Usage: /stores add CODE NAME, e.g. /stores add S3 Tianhe",
    "store.exists": "Store code {code} exists already.",
    "store.created": "Store created: {code} — {name}",
    "store.none": "No stores yet. Create one: /stores add CODE NAME",
    "store.list_header": "Stores:",
    "whoami": "Name: {name}\nRole: {role}\nStore: {store}\nLanguage: {language}\nTelegram ID: {telegram_id}",
    "whoami.no_store": "(none)",
    "lang.usage": "Current language: {current}. Usage: /lang LANGUAGE, one of {allowed}",
    "lang.set": "OK, I will answer you in English from now on.",
    "users.header": "Registered people ({count}):",
    "users.inactive": " (deactivated)",
    "help.header": "Your role: {role}. Your commands:",
    "help.start": "register with an invitation code",
    "help.help": "list your commands",
    "help.whoami": "show my registration",
    "help.lang": "switch language: zh-CN / zh-TW / en",
    "help.invite": "create an invitation: /invite ROLE [STORE]",
    "help.stores": "list stores; /stores add CODE NAME creates one",
    "help.users": "list registered people",
    "help.footer.sales": "To hand in an order, just send one text message with customer, phone, products (solid/panel wood), quantities, delivery date, address and payment.",
    "help.footer.clerk": "Use the buttons on an order card to move the order along.",
    "help.footer.store_manager": "Stock arrivals and backorders for your store are sent to you automatically.",
    "help.footer.manager": "Reminders, escalations and fines awaiting your decision are sent to you automatically.",
    "help.footer.admin": "Create stores with /stores add first, then invite colleagues with /invite.",
    "command.unknown": "There is no command {command}. Send /help for your commands.",
    "error.command_not_for_role": "{command} is not available for your role. Send /help for your commands.",
    "error.not_allowed": "You are not allowed to do that.",
    "button.expired": "This button has expired; please start again.",
    "error.internal": "Sorry, something went wrong with this message. Your original message is saved (no. {ref}); please send it again later or contact the order clerk.",
}
