"""The URL that opens the desk as a given person: what Telegram builds when a Mini App is opened.

Telegram appends ``#tgWebAppData=<initData>&tgWebAppThemeParams=<json>…`` to the
Mini App's URL. In the sandbox ``orderbot desk --as manager`` (and the browser
tests) build the same, with initData signed by the sandbox's token, so the page
goes through the very check a real launch does.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

from domain.desk.init_data import session_fields, sign

# Telegram's own palettes, as its apps pass them (themeParams).
THEMES = {
    "light": {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#707579", "link_color": "#3390ec",
              "button_color": "#3390ec", "button_text_color": "#ffffff", "secondary_bg_color": "#f4f4f5",
              "destructive_text_color": "#e53935"},
    "dark": {"bg_color": "#212121", "text_color": "#ffffff", "hint_color": "#aaaaaa", "link_color": "#8774e1",
             "button_color": "#8774e1", "button_text_color": "#ffffff", "secondary_bg_color": "#181818",
             "destructive_text_color": "#ff595a"},
}


def launch_url(base_url: str, *, bot_token: str, telegram_id: int, name: str, at: datetime,
               language_code: str = "zh-hans", theme: str = "light") -> str:
    init_data = sign(session_fields(telegram_id=telegram_id, auth_date=int(at.timestamp()), first_name=name,
                                    language_code=language_code), bot_token)
    palette = json.dumps(THEMES[theme], separators=(",", ":"))
    return (f"{base_url}#tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=sandbox"
            f"&tgWebAppColorScheme={theme}&tgWebAppThemeParams={quote(palette, safe='')}")
