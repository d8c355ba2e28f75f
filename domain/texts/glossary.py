"""Product words as English readers see them (a card's data, not a sentence of the catalogue).

The parser keeps each product under its Chinese key word (``domain/parsing/data/products.txt``);
English cards show these names. A word missing here (a store's own ``extra_words``) is shown
as typed.
"""

PRODUCTS_EN: dict[str, str] = {
    "床": "bed", "床垫": "mattress", "床褥": "mattress topper", "床头": "headboard", "床头柜": "nightstand",
    "床尾凳": "bench", "床屏": "headboard", "床板": "bed slats", "床边柜": "bedside cabinet",
    "沙发床": "sofa bed", "罗汉床": "daybed", "榻榻米": "tatami", "衣柜": "wardrobe", "衣橱": "wardrobe",
    "书柜": "bookcase", "书架": "bookshelf", "书桌": "desk", "书台": "desk", "书枱": "desk", "书椅": "desk chair",
    "写字台": "writing desk", "写字桌": "writing desk", "学习桌": "study desk", "办公桌": "office desk",
    "办公椅": "office chair", "电脑桌": "computer desk", "电脑椅": "computer chair", "休闲椅": "lounge chair",
    "储物柜": "storage cabinet", "收纳柜": "storage cabinet", "凳子": "stool", "方凳": "square stool",
    "圆凳": "round stool", "板凳": "bench", "吧凳": "bar stool", "吧椅": "bar chair", "换鞋凳": "shoe bench",
    "梳妆凳": "vanity stool", "化妆台": "dressing table", "梳妆台": "dressing table", "妆台": "dressing table",
    "梳妆柜": "vanity cabinet", "博古架": "display shelf", "置物架": "shelf", "花架": "plant stand",
    "吊柜": "wall cabinet", "地柜": "base cabinet", "壁柜": "built-in cabinet", "斗柜": "chest of drawers",
    "柜子": "cabinet", "边柜": "sideboard", "餐边柜": "sideboard", "装饰柜": "display cabinet",
    "玄关柜": "hall cabinet", "酒柜": "wine cabinet", "橱柜": "kitchen cabinet", "电视柜": "TV cabinet",
    "鞋柜": "shoe cabinet", "鞋架": "shoe rack", "衣帽架": "coat stand", "衣架": "clothes rack",
    "圆桌": "round table", "方桌": "square table", "长桌": "long table", "桌子": "table", "餐桌": "dining table",
    "餐台": "dining table", "餐枱": "dining table", "饭桌": "dining table", "茶几": "coffee table",
    "茶台": "tea table", "茶桌": "tea table", "角几": "corner table", "边几": "side table", "椅子": "chair",
    "餐椅": "dining chair", "圈椅": "armchair", "太师椅": "armchair", "摇椅": "rocking chair",
    "躺椅": "recliner", "贵妃椅": "chaise longue", "贵妃榻": "chaise longue", "沙发": "sofa", "梳化": "sofa",
    "沙发椅": "armchair sofa", "屏风": "folding screen", "门": "door",
}

# Spec words inside a product line's size (1.8米, 200厘米) written the English way.
SPEC_UNITS_EN: tuple[tuple[str, str], ...] = (("厘米", "cm"), ("公分", "cm"), ("毫米", "mm"), ("米", "m"),
                                              ("寸", " in"), ("门", "-door"), ("抽", "-drawer"))
