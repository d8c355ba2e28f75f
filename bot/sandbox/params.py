"""Read Bot API parameters the way Telegram does: query string, urlencoded,
JSON or multipart bodies all mean the same thing.

Form encodings carry every value as a string (PTB and aiogram JSON-encode
complex fields), so typed accessors decode on read rather than guessing up
front which strings are JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import ApiError


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def get_float(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def get_json(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value

    def chat_id(self, required: bool = True) -> int | None:
        value = self.values.get("chat_id")
        if value in (None, ""):
            if required:
                raise ApiError(400, "Bad Request: chat_id is empty")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            # "@channelname" targets exist in the real API; the sandbox has private chats only.
            raise ApiError(400, "Bad Request: chat not found") from None

    def recorded(self) -> dict[str, Any]:
        """A JSON-friendly copy for the call log: JSON-looking fields decoded."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, str) and value[:1] in ("{", "[") and key in _COMPLEX_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            out[key] = value
        for key, upload in self.files.items():
            out.setdefault(key, {"filename": upload.filename, "size": len(upload.data)})
        return out


_COMPLEX_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "scope",
        "commands",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
    }
)


async def read_params(request: web.Request) -> Params:
    params = Params(values=dict(request.query))
    if request.method != "POST" or not request.can_read_body:
        return params
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
        if isinstance(body, dict):
            params.values.update(body)
    elif ctype == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = await part.read(decode=False)
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                params.files[part.name] = Upload(part.filename, content_type, bytes(data))
            else:
                params.values[part.name] = await part.text()
    else:
        # urlencoded, or a body with no declared type: try it as a form.
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params.files[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                params.values[key] = value
    return params
