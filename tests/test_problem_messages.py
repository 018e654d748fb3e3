"""Problem details speak to a person: no rule id (B-15, C-2, ...) in a message a service raises or answers with,
nor in the reasons and notes clients read on their invoices and in their mails.

Rule ids are for developers (DOMAIN.md): they stay in comments, docstrings and event fields. This scans every
service's source for the string literals of a raised exception (its `detail`, or a validator's message that becomes
part of a 422) and of a `problem(...)` / `HTTPException(...)` answer, f-strings included; and for the literals
passed as `reason=`, `note=` or `cancel_reason=` in billing (an invoice's cancellation reason and note, shown in the
panel, the PDF and notify's mails) or assigned to a `*_NOTE` constant there. Provisioning's transition notes are the
staff's history, not the client's: rule ids may stay there."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [src for src in sorted(ROOT.glob("*/src")) if not src.parent.name.startswith(".")]  # services, shared
RULE_ID = re.compile(r"\b[A-Z]{1,2}-\d{1,2}\b")
ANSWERS = {"problem", "HTTPException"}
CLIENT_TEXTS = {"reason", "note", "cancel_reason"}
# Internal reasons: the credit ledger's raw text stays in the console; the client reads a kind
# (billing/credit/movements.py), which these prefixes are matched against.
INTERNAL_PREFIXES = ("S-4",)


def _strings(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            yield node.exc
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ANSWERS:
                yield node


def _client_texts(tree: ast.AST) -> Iterator[tuple[int, ast.AST]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in CLIENT_TEXTS:
            yield node.value.lineno, node.value
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.endswith("_NOTE")
                                                  for t in node.targets):
            yield node.lineno, node.value


def messages_with_rule_ids() -> list[str]:
    found = []
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for call in _calls(tree):
                for arg in [*call.args, *(k.value for k in call.keywords)]:
                    found += [f"{path.relative_to(ROOT)}:{call.lineno}: {text!r}"
                              for text in _strings(arg) if RULE_ID.search(text)]
            for line, value in _client_texts(tree) if source.parent.name == "billing-svc" else ():
                found += [f"{path.relative_to(ROOT)}:{line}: {text!r}" for text in _strings(value)
                          if RULE_ID.search(text) and not text.startswith(INTERNAL_PREFIXES)]
    return found


def test_problem_messages_name_no_rule_ids() -> None:
    """#13 hygiene (every rule: F-3, C-2, S-3, B-15, ...): what an API user, the panel or a mail shows has no rule
    id."""
    assert SOURCES and messages_with_rule_ids() == []
