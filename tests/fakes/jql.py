"""Just enough JQL for the Jira fake: parse a query and test an issue against it.

Clauses `field op value` joined by AND / OR / NOT with parentheses; operators `=`, `!=`,
`~`, `!~`, `in`, `not in`, `is`, `is not`; values quoted with "..." or '...' (backslash
escapes) or bare words; `ORDER BY` is accepted and ignored. Errors carry the messages
Jira gives, so a client that builds JQL badly fails here as it would there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
_SPECIAL = set('()=,!~<>"\'')


class JqlError(Exception):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # "word" | "string" | "op" | "("  | ")" | ","
    text: str
    pos: int


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    n = len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
            continue
        if ch in "\"'":
            quote = ch
            j = i + 1
            out = []
            while j < n and query[j] != quote:
                if query[j] == "\\":
                    if j + 1 >= n:
                        raise JqlError(f"Error in the JQL Query: the quoted string starting at character {i + 1} is not terminated.")
                    nxt = query[j + 1]
                    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", " ": " "}
                    if nxt not in escapes:
                        raise JqlError(f"Error in the JQL Query: '\\{nxt}' is an illegal JQL escape sequence. (line 1, character {j + 1})")
                    out.append(escapes[nxt])
                    j += 2
                    continue
                out.append(query[j])
                j += 1
            if j >= n:
                raise JqlError(f"Error in the JQL Query: the quoted string starting at character {i + 1} is not terminated.")
            tokens.append(Token("string", "".join(out), i))
            i = j + 1
            continue
        two = query[i : i + 2]
        if two in ("!=", "!~", ">=", "<="):
            tokens.append(Token("op", two, i))
            i += 2
            continue
        if ch in "=~<>":
            tokens.append(Token("op", ch, i))
            i += 1
            continue
        if ch == "!":
            raise JqlError(f"Error in the JQL Query: The character '!' is a reserved JQL character. (line 1, character {i + 1})")
        j = i
        while j < n and not query[j].isspace() and query[j] not in _SPECIAL:
            j += 1
        tokens.append(Token("word", query[i:j], i))
        i = j
    return tokens


# A parsed query is a tree of tuples: ("and", a, b) | ("or", a, b) | ("not", a) | ("clause", field, op, values)
Node = tuple[Any, ...]


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def word_is(self, token: Token | None, *words: str) -> bool:
        return token is not None and token.kind == "word" and token.text.lower() in words

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise JqlError("Error in the JQL Query: Expecting more input at the end of the query.")
        self.i += 1
        return token

    def parse(self) -> Node | None:
        if not self.tokens or self.word_is(self.peek(), "order"):
            self._order_by()
            return None
        node = self._or()
        self._order_by()
        if self.peek() is not None:
            tok = self.peek()
            assert tok is not None
            raise JqlError(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{tok.text}'. (line 1, character {tok.pos + 1})")
        return node

    def _order_by(self) -> None:
        if not self.word_is(self.peek(), "order"):
            return
        self.take()
        if not self.word_is(self.take(), "by"):
            raise JqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.")
        while self.peek() is not None:
            self.take()

    def _or(self) -> Node:
        node = self._and()
        while self.word_is(self.peek(), "or"):
            self.take()
            node = ("or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self.word_is(self.peek(), "and"):
            self.take()
            node = ("and", node, self._not())
        return node

    def _not(self) -> Node:
        if self.word_is(self.peek(), "not"):
            self.take()
            return ("not", self._not())
        token = self.peek()
        if token is not None and token.kind == "(":
            self.take()
            node = self._or()
            closing = self.take()
            if closing.kind != ")":
                raise JqlError(f"Error in the JQL Query: Expecting ')' but got '{closing.text}'. (line 1, character {closing.pos + 1})")
            return node
        return self._clause()

    def _clause(self) -> Node:
        field_tok = self.take()
        if field_tok.kind not in ("word", "string") or (field_tok.kind == "word" and field_tok.text.lower() in KEYWORDS):
            raise JqlError(f"Error in the JQL Query: Expecting a field name but got '{field_tok.text}'. (line 1, character {field_tok.pos + 1})")
        op_tok = self.take()
        if op_tok.kind == "op":
            op = op_tok.text
        elif self.word_is(op_tok, "in"):
            op = "in"
        elif self.word_is(op_tok, "not") and self.word_is(self.peek(), "in"):
            self.take()
            op = "not in"
        elif self.word_is(op_tok, "is"):
            op = "is"
            if self.word_is(self.peek(), "not"):
                self.take()
                op = "is not"
        else:
            raise JqlError(f"Error in the JQL Query: Expecting operator but got '{op_tok.text}'. (line 1, character {op_tok.pos + 1})")
        if op in ("in", "not in"):
            values = self._list()
        elif op in ("is", "is not"):
            value = self.take()
            if not self.word_is(value, "empty", "null"):
                raise JqlError(f"Error in the JQL Query: Expecting 'EMPTY' or 'NULL' after '{op.upper()}'.")
            values = [None]
        else:
            values = [self._value()]
        return ("clause", field_tok.text, op, values)

    def _value(self) -> str:
        token = self.take()
        if token.kind == "string":
            return token.text
        if token.kind == "word" and token.text.lower() not in KEYWORDS:
            return token.text
        raise JqlError(f"Error in the JQL Query: Expecting either a value, list or function but got '{token.text}'. (line 1, character {token.pos + 1})")

    def _list(self) -> list[str]:
        opening = self.take()
        if opening.kind != "(":
            raise JqlError(f"Error in the JQL Query: Expecting '(' but got '{opening.text}'. (line 1, character {opening.pos + 1})")
        values = [self._value()]
        while True:
            token = self.take()
            if token.kind == ")":
                return values
            if token.kind != ",":
                raise JqlError(f"Error in the JQL Query: Expecting ',' or ')' but got '{token.text}'. (line 1, character {token.pos + 1})")
            values.append(self._value())


def parse(query: str) -> Node | None:
    """The query's tree, or None for a query without any restriction (only ORDER BY, or empty)."""
    return _Parser(tokenize(query)).parse()


def clauses(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node[0] == "clause":
        return [node]
    return [c for child in node[1:] for c in clauses(child)]


def evaluate(node: Node | None, test: Callable[[str, str, list[Any]], bool]) -> bool:
    if node is None:
        return True
    kind = node[0]
    if kind == "and":
        return evaluate(node[1], test) and evaluate(node[2], test)
    if kind == "or":
        return evaluate(node[1], test) or evaluate(node[2], test)
    if kind == "not":
        return not evaluate(node[1], test)
    return test(node[1], node[2], node[3])


WORD = re.compile(r"[\w']+", re.UNICODE)


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text or "")}
