"""交货日期: every relative wording resolved against the message's own timestamp."""

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.parsing import Parser
from domain.parsing.dates import find_dates, pick_delivery

# 2026-11-18 is a Wednesday; weeks start on Monday (corpus convention).
WED = date(2026, 11, 18)


def delivery(text, today=WED):
    found = pick_delivery(text, find_dates(text, today))
    return found.value if found else None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("明天送", date(2026, 11, 19)),
        ("听日送", date(2026, 11, 19)),          # Cantonese tomorrow
        ("后天送", date(2026, 11, 20)),
        ("后日送货", date(2026, 11, 20)),        # Cantonese 後日 after t2s
        ("大后天送", date(2026, 11, 21)),
        ("今天送", date(2026, 11, 18)),
        ("这周五送", date(2026, 11, 20)),
        ("本周一安装", date(2026, 11, 16)),       # this week's Monday even though it is past
        ("礼拜五送", date(2026, 11, 20)),
        ("下周六送", date(2026, 11, 28)),
        ("下个礼拜六送", date(2026, 11, 28)),
        ("下星期日", date(2026, 11, 29)),
        ("下下周一", date(2026, 11, 30)),
        ("月底送", date(2026, 11, 30)),
        ("下个月底", date(2026, 12, 31)),
        ("元旦送", date(2027, 1, 1)),
        ("元月5号", date(2027, 1, 5)),
        ("20号送", date(2026, 11, 20)),
        ("15号送", date(2026, 12, 15)),            # the 15th has passed: next month
        ("送货日期:20号", date(2026, 11, 20)),
        ("11月20日", date(2026, 11, 20)),
        ("十二月二十号", date(2026, 12, 20)),
        ("2月3号送", date(2027, 2, 3)),            # no year: next such date on or after
        ("11.27送", date(2026, 11, 27)),
        ("日期:12/8", date(2026, 12, 8)),
        ("12/28交货", date(2026, 12, 28)),
        ("2027年1月3日送", date(2027, 1, 3)),
        ("2027-01-03", date(2027, 1, 3)),
        ("下个月5号", date(2026, 12, 5)),
        ("deliver Dec 20", date(2026, 12, 20)),
        ("20 Dec", date(2026, 12, 20)),
        ("tomorrow", date(2026, 11, 19)),
        ("next Saturday", date(2026, 11, 28)),
        ("from 12月15日改到12月20日", date(2026, 12, 20)),  # the new date of an old/new pair
        ("不是15号,改到18号送", date(2026, 11, 18)),
    ],
)
def test_resolves_against_sent_at(text, expected):
    assert delivery(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "天河路1号",            # a house number, not the 1st
        "实木床1.8米1张",        # a size, not 1 August
        "床1.5m x1",
        "弥敦道 1号",
        "2月30号送",            # no such day
        "早上好",
    ],
)
def test_not_a_date(text):
    assert delivery(text) is None


@pytest.mark.parametrize(
    "today, text, expected",
    [
        (date(2026, 12, 31), "明天送", date(2027, 1, 1)),         # year boundary
        (date(2026, 12, 28), "月底", date(2026, 12, 31)),
        (date(2027, 2, 10), "月底", date(2027, 2, 28)),
        (date(2026, 12, 24), "元旦送", date(2027, 1, 1)),
        (date(2027, 1, 31), "31号送", date(2027, 1, 31)),
        (date(2027, 2, 1), "31号送", date(2027, 3, 31)),          # February has no 31st
        (date(2027, 1, 3), "周日送", date(2027, 1, 3)),           # Sunday ends the week
    ],
)
def test_edges_of_months_and_years(today, text, expected):
    assert delivery(text, today) == expected


def test_only_sent_at_is_the_clock():
    p = Parser()
    for sent in (datetime(2020, 2, 28, 17, 0, tzinfo=timezone.utc), datetime(2031, 6, 30, 9, 0, tzinfo=timezone(timedelta(hours=8)))):
        r = p.parse("张三 13812345678 实木床1张 明天送 全款 天河路1号", sent)
        assert r.delivery_date == sent.date() + timedelta(days=1)


def test_sent_at_local_day_is_used_not_utc():
    # 00:30 in Shanghai is still the previous day in UTC; the message's own day counts.
    sent = datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(hours=8)))
    r = Parser().parse("张三 13812345678 床一张 明天送 全款 天河路1号", sent)
    assert r.delivery_date == date(2026, 12, 2)
