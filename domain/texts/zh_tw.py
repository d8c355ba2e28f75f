"""繁體中文: derived from the Simplified catalogue with OpenCC (s2twp); overrides only
where the conversion would read wrong to a Taiwanese or Hong Kong colleague."""

OVERRIDES: dict[str, str] = {
    "lang.set": "好的，以後用繁體中文回覆您。",
}
