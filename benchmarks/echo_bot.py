"""A bare echo bot of python-telegram-bot or aiogram: the yardstick for load_bench.py.

    python3 benchmarks/echo_bot.py python-telegram-bot|aiogram API_URL

It answers every text with the same text, with the library's own long polling
and its concurrent handling switched on — the fastest a bot of that library gets
on this machine and this sandbox.
"""

from __future__ import annotations

import asyncio
import sys

TOKEN = "100000:sandbox-orderbot-token"


def run_ptb(api_url: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    app = (ApplicationBuilder().token(TOKEN).base_url(api_url + "/bot").base_file_url(api_url + "/file/bot")
           .concurrent_updates(256).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=10)


def run_aiogram(api_url: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    async def main() -> None:
        server = TelegramAPIServer(base=api_url + "/bot{token}/{method}", file=api_url + "/file/bot{token}/{path}")
        bot = Bot(TOKEN, session=AiohttpSession(api=server))
        dispatcher = Dispatcher()

        @dispatcher.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "")

        await bot.delete_webhook()
        await dispatcher.start_polling(bot, polling_timeout=10, handle_as_tasks=True)

    asyncio.run(main())


if __name__ == "__main__":
    framework, url = sys.argv[1], sys.argv[2].rstrip("/")
    (run_aiogram if framework == "aiogram" else run_ptb)(url)
