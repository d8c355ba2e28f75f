"""The managers' desk over HTTP: aiohttp routes, initData checks, server-rendered HTML."""
