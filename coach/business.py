"""The bank's business lines: what part of the counter a scenario is about.

A trainer rolling coach out needs the library sorted the way a branch is: a teller who works the
foreign-exchange window looks for those customers first. The ids are a public vocabulary (scenario
files name them in `line:`); the names are what the library's filter shows. Not from the article,
which is about communication, not products.
"""

from __future__ import annotations

from typing import Literal, get_args

BusinessLineId = Literal[
    "accounts", "deposits", "cards", "payments", "loans", "wealth", "fx", "corporate", "service",
]

#: id -> (Chinese name, English name), in the order the library's filter cycles through them.
BUSINESS_LINES: dict[str, tuple[str, str]] = {
    "accounts": ("开户与账户", "Accounts"),
    "deposits": ("存取款", "Deposits and cash"),
    "cards": ("银行卡", "Cards"),
    "payments": ("转账汇款", "Transfers"),
    "loans": ("贷款", "Loans"),
    "wealth": ("理财保险", "Wealth"),
    "fx": ("外汇与跨境", "Foreign exchange"),
    "corporate": ("对公业务", "Business accounts"),
    "service": ("厅堂服务", "Branch service"),
}
assert tuple(BUSINESS_LINES) == get_args(BusinessLineId)


def line_name(line: str | None, lang: str) -> str:
    """The line's name in `lang`; a scenario without a line shows as "other"."""
    if line not in BUSINESS_LINES:
        return "其他" if lang == "zh" else "other"
    zh, en = BUSINESS_LINES[line]
    return zh if lang == "zh" else en
