"""解析器: one chat message -> one ParsedMessage, a pure function of (text, sent_at).

Relative dates (今天, 明天, 下周六) count from ``sent_at``'s own calendar date, so callers
pass the message time on the business's wall clock (``domain.localtime.local_moment``),
not the UTC instant Telegram stamped.

Fields are read in an order that lets each reader mask what it used, so later readers cannot
read it again: order numbers, phones, dates, payment, labelled name and address, product
lines; what is left is split into chunks and searched for an unlabelled name and address.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Iterable

import opencc

from . import kind as kinds
from . import places
from .changes import ChangeReader, delivery_shift_days, renamed_customer
from .dates import find_dates, pick_delivery
from .items import ItemReader
from .kind_model import KindModel
from .lexicon import Lexicon
from .model import ParsedItem, ParsedMessage
from .normalize import as_typed, normalize_simplified, plain_text
from .payment import find_payments
from .people import NameReader, leading_english_name, titled_english_name
from .phones import find_phones
from .refs import find_refs
from .spans import MASK, Found, is_new, mask, pick_current

PARSER_VERSION = "2026.11.1"

_CHUNK = re.compile(rf"[^\s,;|:。!?、/(){MASK}\[\]【】]+")
# "/" separates slash-written records; 10/F is a Hong Kong floor, not a separator
_SEGMENT_SEP = re.compile(rf"[,;|\n。!?{MASK}]+|/(?!F\b)")
_SEGMENT_LABEL = re.compile(r"^\s*(?:\d+\.)?[^\d:]{0,6}:")
_FIELD_LABELS = re.compile(
    r"^(?:\d+\.)?(?:客户|客人|顾客|姓名|电话|手机|联系电话|地址|产品|货品|商品|品名|送货日期|送货|日期|交货|"
    r"付款方式|付款|单号|合同号|问题|要求|备注|售后申请|售后|改单|销单|取消|订单)$"
)


# Free text the order keeps as typed (ParsedMessage.typed).
TYPED_FIELDS = ("customer_name", "address")


class Parser:
    """Builds the dictionaries once; ``parse`` is then cheap and never touches the disk."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        if isinstance(extra_words, str):
            extra_words = (extra_words,)
        self.lexicon = Lexicon.load(extra_words)
        self._t2s = opencc.OpenCC("t2s").convert
        self._items = ItemReader(self.lexicon)
        self._names = NameReader(self.lexicon)
        self.kind_model: KindModel | None = KindModel.load()
        self._changes = ChangeReader(self.lexicon.units)

    def simplify(self, text: str) -> str:
        """Traditional to simplified characters, as the parser reads text."""
        return str(self._t2s(text))

    def parse(self, text: str, sent_at: datetime, *, expect: str | None = None,
              use_model: bool = True) -> ParsedMessage:
        """Every input yields a record; anything unreadable is ``unknown``.

        ``expect`` is for a message whose kind the conversation already knows —
        the answer to "请回复客户电话" is a fragment of an order, not a greeting —
        so its fields are read instead of being dropped with ``unknown``.
        """
        try:
            return self.parse_strict(text, sent_at, expect=expect, use_model=use_model)
        except Exception:  # last line of defence: a bad message must not stop the desk
            return ParsedMessage(kind="unknown", parser_version=PARSER_VERSION)

    def parse_strict(self, text: str, sent_at: datetime, *, expect: str | None = None,
                     use_model: bool = True) -> ParsedMessage:
        """Like ``parse`` but lets a reader's bug surface (tests use this)."""
        today = sent_at.date() if isinstance(sent_at, datetime) else sent_at
        if not isinstance(today, date):
            raise TypeError("sent_at must be a datetime")
        plain = plain_text(text)
        simplified = self._t2s(plain)  # once: the typed forms are found in it too
        t = normalize_simplified(simplified)
        if not t:
            return ParsedMessage(kind="unknown", parser_version=PARSER_VERSION)

        refs = find_refs(t)
        work = mask(t, refs)
        phones = find_phones(work)
        work = mask(work, phones)
        dates = find_dates(work, today)
        work = mask(work, dates)
        payments = find_payments(work)
        work = mask(work, payments)
        names = self._names.labelled(work)
        work = mask(work, names)
        addresses = places.labelled(work)
        work = mask(work, addresses)
        items, item_spans = self._items.read(work)
        work = mask(work, item_spans)

        chunks = [(m.start(), m.group()) for m in _CHUNK.finditer(work)]
        name = pick_current(t, names)
        customer_name, name_conf = (name.value, 0.95) if name else self._name_from_chunks(chunks, work)
        address = pick_current(t, addresses)
        address_value = address.value if address else self._address_from_segments(work, customer_name)
        phone = pick_current(t, phones)
        delivery = pick_delivery(t, dates)
        payment = pick_current(t, payments) if payments else None
        ref = refs[0] if refs else None

        evidence = kinds.Evidence(
            has_ref=bool(refs), has_name=bool(customer_name), has_phone=bool(phone),
            has_address=bool(address_value), has_date=bool(delivery), has_payment=bool(payment),
            n_items=len(items),
        )
        kind = expect or kinds.classify(t, evidence)
        kind_conf, alternatives = (1.0, ()) if expect else kinds.confidence(t, evidence, kind)
        if kind == "unknown" and use_model and self.kind_model is not None and refs:
            # no cue word says what it is, but it names an order: the
            # model's reading, never sure enough to act on without asking
            kind, kind_conf, alternatives = _model_reading(self.kind_model, t)
        if kind == "unknown":
            return ParsedMessage(kind="unknown", parser_version=PARSER_VERSION, kind_confidence=kind_conf)
        if kind != "order":
            items = _dedupe(items)
            if address is None and address_value and not re.search(r"\d", address_value):
                # outside an order, an unlabelled place without a number is chatter
                # (搬上楼时撞坏了客户家的楼梯扶手), not where to deliver
                address_value = None
        category = kinds.aftersales_category(t) if kind == "aftersales" else None
        certainty: dict[str, float] = {}
        if ref:
            certainty["order_ref"] = 0.95 if ref.value.startswith("DD") or _LABELLED_REF.search(t[max(0, ref.start - 12):ref.start]) else 0.8
        if customer_name:
            certainty["customer_name"] = name_conf
        if phone:
            certainty["customer_phone"] = 0.95 if len({p.value for p in phones}) <= 1 or _marked(t, phone) else 0.6
        if address_value:
            # an unlabelled address is the best-scoring run of chunks: a guess worth a look
            certainty["address"] = 0.95 if address else 0.85 if places.place_score(address_value) >= 5 else 0.65
        if delivery:
            certainty["delivery_date"] = 0.95 if len({d.value for d in dates}) <= 1 or _marked(t, delivery) else 0.6
        if payment:
            certainty["payment"] = 0.95 if len({p.value for p in payments}) <= 1 or _marked(t, payment) else 0.6
        if items:
            certainty["items"] = 0.9
        if category:
            certainty["aftersales_category"] = 0.9 if category != "other" or kinds.names_other_cause(t) else 0.6
        record = ParsedMessage(
            kind=kind,
            items=tuple(items),
            parser_version=PARSER_VERSION,
            kind_confidence=kind_conf,
            kind_alternatives=alternatives,
            field_confidence=MappingProxyType(certainty),
            order_ref=ref.value if ref else None,
            customer_name=customer_name,
            customer_phone=phone.value if phone else None,
            address=address_value,
            delivery_date=delivery.value if delivery else None,
            payment=payment.value if payment else None,
            aftersales_category=category,
        )
        if kind == "change":
            record = self._with_change_fields(record, t, work)
        elif kind == "cancel":
            record = _with_cancel_reason(record, work)
        return _with_typed_forms(record, plain, simplified) if simplified != plain else record

    # -- unlabelled name and address ----------------------------------------------------
    def _name_from_chunks(self, chunks: list[tuple[int, str]], work: str) -> tuple[str | None, float]:
        """The unlabelled name and how sure the reading is (a name found mid-sentence is a guess)."""
        mixed = self._names.english_with_surname(work)
        if mixed:
            return mixed.value, 0.85
        english = leading_english_name(work) or titled_english_name(work)
        if english:
            return english, 0.8
        for i, (_, chunk) in enumerate(chunks):
            if _FIELD_LABELS.match(chunk):
                continue
            name = self._names.in_chunk(chunk, first=i == 0)
            if name:
                return name, (0.9 if i == 0 else 0.8)
        introduced = self._names.introduced(work)
        return introduced, 0.7

    def _address_from_segments(self, work: str, name: str | None) -> str | None:
        """The most address-like run of chunks (荃湾 沙咀道 200号 is one address, spaces and all)."""
        best, best_score = None, 0
        for seg in _SEGMENT_SEP.split(work):
            seg = _SEGMENT_LABEL.sub("", seg)
            chunks = [c for c in seg.split(" ") if c]
            candidates = list(chunks)
            run: list[str] = []
            for c in chunks + [""]:
                # district words without a place mark (香港 九龙 旺角) join a run, the name does not
                if c and c != name and len(c) <= 12:
                    run.append(c)
                    continue
                if len(run) > 1:
                    candidates.append(" ".join(run))
                run = []
            for cand in candidates:
                value = places.clean(cand)
                score = places.place_score(value)
                if score > best_score:
                    best, best_score = value, score
        return best

    # -- change hints ------------------------------------------------------------------
    def _with_change_fields(self, record: ParsedMessage, text: str, work: str) -> ParsedMessage:
        """The fields a change sets, and its line edits; a customer name counts only when renamed."""
        fields: dict[str, object] = {}
        for name in ("delivery_date", "address", "customer_phone", "payment"):
            value = getattr(record, name)
            if value is not None:
                fields[name] = value
        if (renamed := renamed_customer(text)) is not None:
            fields["customer_name"] = renamed
        if "delivery_date" not in fields and (shift := delivery_shift_days(text)) is not None:
            fields["delivery_shift_days"] = shift
        if lines := self._changes.line_edits(text, work, record.items):
            fields["lines"] = lines
        return _replace(record, change_fields=MappingProxyType(fields))


# The model's reading counts only above this; below it the message stays unknown.
_MODEL_FLOOR = 0.5


def _model_reading(model: KindModel, text: str) -> tuple[str, float, tuple[str, ...]]:
    post = model.posterior(text)
    ranked = sorted(post, key=lambda k: post[k], reverse=True)
    top = ranked[0]
    if top == "unknown" or post[top] < _MODEL_FLOOR:
        return "unknown", 0.5, ()
    # naive Bayes is sure of itself far too often; what it cannot tell apart is the intent behind
    # an order number — a change, a new order or a question — so those stay open
    intents = ("change", "order", "query")
    others = [k for k in ranked[1:] if k in intents] if top in intents else [k for k in ranked[1:3] if k != "unknown"]
    return top, min(post[top], 0.6), tuple(others)


_LABELLED_REF = re.compile(r"(?:合同编?号|订单编?号|订货单号|单号|编号|单据号|合同|订单|order|ref|no)\W{0,3}$", re.I)


def _marked(text: str, found: Found[Any] | None) -> bool:
    """Of several values, the chosen one is marked as the new one (改成…)."""
    return found is not None and is_new(text, found.start)


def _dedupe(items: list[ParsedItem]) -> list[ParsedItem]:
    """In after-sales, changes and queries a product named twice (实木床床腿) is one line."""
    seen: dict[str, int] = {}
    out: list[ParsedItem] = []
    for it in items:
        if it.product in seen:
            continue
        seen[it.product] = len(out)
        out.append(it)
    return out


def _with_cancel_reason(record: ParsedMessage, work: str) -> ParsedMessage:
    rest = re.sub(rf"{MASK}+", " ", work)
    rest = re.sub(r"销单|撤单|取消订单|取消|退订|订单|那单|:|,|;", " ", rest)
    if record.customer_name:
        rest = rest.replace(record.customer_name, " ")
    rest = re.sub(r"\s+", " ", rest).strip(" ,.。")
    return _replace(record, cancel_reason=rest or None)


def _with_typed_forms(record: ParsedMessage, plain: str, simplified: str) -> ParsedMessage:
    """The name and address as typed (the contract's fields stay simplified; a change's new values,
    outside the contract, are as typed)."""
    typed = {name: form for name in TYPED_FIELDS
             if (value := getattr(record, name)) and (form := as_typed(plain, simplified, value))}
    changes = {name: form for name in TYPED_FIELDS if isinstance(value := record.change_fields.get(name), str)
               and (form := as_typed(plain, simplified, value))}
    if not typed and not changes:
        return record
    return _replace(record, typed=MappingProxyType(typed),
                    change_fields=MappingProxyType({**record.change_fields, **changes}))


def _replace(record: ParsedMessage, **changes: Any) -> ParsedMessage:
    from dataclasses import replace

    return replace(record, **changes)
