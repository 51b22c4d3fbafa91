"""A small, strict reader for the YAML that kubeconfig files are written in.

kep depends on `requests` only, so it cannot use a YAML library. kubectl (through
sigs.k8s.io/yaml and go-yaml) writes a narrow part of YAML, and this reads that part
and refuses, with a line number, everything else instead of guessing.

Supported:
- one document, optionally opened by `---` and closed by `...`;
- block mappings `key: value` (plain or quoted keys; duplicate keys are an error);
- block sequences `- item`, indented under their key or at the key's own column
  (kubectl's compact form), with `- key: value` items and nested `- - x`;
- plain scalars, also folded over several more-indented lines (go-yaml wraps long
  strings at 80 columns); `null`/`~`/empty -> None, `true`/`false` -> bool, anything
  else -> str. Numbers stay strings: kubeconfig has no numeric fields, and kubectl
  reads `token: 0123` or `token: 12e45` into a string field unchanged;
- single-quoted (`''` is a quote) and double-quoted scalars (the YAML escapes,
  `\\` line continuation), both foldable over several lines;
- one-line flow collections: `{}`, `[]`, `[a, "b"]`, `{k: v}`, nested;
- `#` comments on their own line or after a value (preceded by a space).

Refused (YamlError naming the line): tabs in indentation, anchors `&`, aliases `*`,
tags `!`, block scalars `|` `>`, complex keys `?`, directives `%`, several documents,
multi-line flow collections, and anything that does not line up.
"""

from __future__ import annotations

from typing import Any

__all__ = ["YamlError", "loads"]


class YamlError(ValueError):
    """The text is not in the supported subset. `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def loads(text: str) -> Any:
    """Parse one YAML document of the supported subset into dicts, lists and scalars."""
    return _Reader(text).document()


_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_FLOW_END = ",[]{}"


def _resolve(text: str) -> Any:
    """Type of a plain scalar: null and booleans of the YAML 1.2 core schema; the rest is text."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    return text


def _is_item(content: str) -> bool:
    """`- x` or a lone `-` starts a block sequence entry."""
    return content == "-" or content.startswith(("- ", "-\t"))


def _is_marker(line: str) -> bool:
    return line in ("---", "...") or line.startswith(("--- ", "... "))


def _is_rest_empty(rest: str) -> bool:
    """After a value: only spaces, or a comment that a space separates from the value."""
    stripped = rest.lstrip(" \t")
    return stripped == "" or (stripped.startswith("#") and stripped != rest)


class _Reader:
    def __init__(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.i = 0

    # -- lines -------------------------------------------------------------

    def error(self, index: int, message: str) -> YamlError:
        return YamlError(index + 1, message)

    def indent_of(self, index: int) -> int:
        line = self.lines[index]
        n = len(line) - len(line.lstrip(" "))
        if line[n : n + 1] == "\t":
            raise self.error(index, "tab character used for indentation")
        return n

    def peek(self) -> int | None:
        """Index of the next line with content (skipping blanks and comments)."""
        i = self.i
        while i < len(self.lines):
            stripped = self.lines[i].strip()
            if stripped and not stripped.startswith("#"):
                return i
            i += 1
        self.i = i
        return None

    # -- structure ---------------------------------------------------------

    def document(self) -> Any:
        i = self.peek()
        if i is not None and self.lines[i].startswith("---") and _is_marker(self.lines[i].rstrip()):
            if not _is_rest_empty(self.lines[i].rstrip()[3:]):
                raise self.error(i, "content after '---' is not supported")
            self.i = i + 1
            i = self.peek()
        value = None
        if i is not None and not _is_marker(self.lines[i].rstrip()):
            value = self.block(self.indent_of(i), -1)
        i = self.peek()
        if i is not None and self.lines[i].startswith("...") and _is_marker(self.lines[i].rstrip()):
            if not _is_rest_empty(self.lines[i].rstrip()[3:]):
                raise self.error(i, "content after '...' is not supported")
            self.i = i + 1
            i = self.peek()
            if i is not None:
                raise self.error(i, "content after the end of the document ('...')")
        if i is not None:
            if _is_marker(self.lines[i].rstrip()):
                raise self.error(i, "more than one YAML document is not supported")
            raise self.error(i, "unexpected content (check the indentation)")
        return value

    def block(self, indent: int, parent: int) -> Any:
        """The node whose first line (the next content line) starts at column `indent`."""
        i = self.peek()
        assert i is not None
        content = self.lines[i][indent:]
        if _is_item(content):
            return self.sequence(indent)
        if self.split_key(i, indent) is not None:
            return self.mapping(indent)
        return self.inline(i, indent, parent)

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while (i := self.peek()) is not None:
            line = self.lines[i]
            ind = self.indent_of(i)
            if ind < indent or _is_marker(line.rstrip()):
                break
            if ind > indent:
                raise self.error(i, "bad indentation of a sequence entry")
            content = line[ind:]
            if not _is_item(content):
                break
            rest = content[1:]
            stripped = rest.lstrip(" \t")
            if stripped == "" or stripped.startswith("#"):
                self.i = i + 1
                j = self.peek()
                if j is not None and self.indent_of(j) > indent:
                    items.append(self.block(self.indent_of(j), indent))
                else:
                    items.append(None)
                continue
            if "\t" in rest[: len(rest) - len(stripped)]:
                raise self.error(i, "tab character used for indentation")
            # Re-read the entry's content as a block that starts at its own column.
            col = ind + 1 + len(rest) - len(stripped)
            self.lines[i] = " " * col + stripped
            items.append(self.block(col, indent))
        return items

    def mapping(self, indent: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while (i := self.peek()) is not None:
            line = self.lines[i]
            ind = self.indent_of(i)
            if ind < indent or _is_marker(line.rstrip()):
                break
            if ind > indent:
                raise self.error(i, "bad indentation of a mapping entry")
            found = self.split_key(i, ind)
            if found is None:
                if _is_item(line[ind:]):
                    raise self.error(i, "a sequence entry where a 'key: value' was expected")
                raise self.error(i, "expected 'key: value'")
            key, col = found
            if key in result:
                raise self.error(i, f"duplicate key {key!r}")
            rest = line[col:]
            stripped = rest.lstrip(" \t")
            if stripped == "" or stripped.startswith("#"):
                self.i = i + 1
                j = self.peek()
                value: Any = None
                if j is not None and not _is_marker(self.lines[j].rstrip()):
                    jind = self.indent_of(j)
                    if jind > indent:
                        value = self.block(jind, indent)
                    elif jind == indent and _is_item(self.lines[j][jind:]):
                        value = self.sequence(indent)
                result[key] = value
            else:
                result[key] = self.inline(i, col + len(rest) - len(stripped), indent)
        return result

    def split_key(self, i: int, col: int) -> tuple[str, int] | None:
        """If line i holds `key:` at column col: (key, column after the colon)."""
        line = self.lines[i]
        content = line[col:]
        if content[:1] in ("'", '"'):
            found = self.quoted(i, col, -1, multiline=False)
            if found is None:
                return None
            key, _, end = found
            k = end
            while k < len(line) and line[k] in " \t":
                k += 1
            if line[k : k + 1] == ":" and (k + 1 == len(line) or line[k + 1] in " \t"):
                return key, k + 1
            return None
        if content[:1] in ("[", "{", "#"):
            return None
        if content.startswith("? ") or content == "?":
            raise self.error(i, "complex mapping keys ('?') are not supported")
        pos = 0
        comment = content.find(" #")
        while (c := content.find(":", pos)) >= 0:
            if 0 <= comment < c:
                return None
            if c + 1 == len(content) or content[c + 1] in " \t":
                key = content[:c].rstrip()
                if not key:
                    raise self.error(i, "empty mapping key")
                if key[0] in "&*!|>%@`":
                    raise self.error(i, f"unsupported YAML feature {key[0]!r} (anchors, aliases, tags)")
                return key, col + c + 1
            pos = c + 1
        return None

    # -- scalars -----------------------------------------------------------

    def inline(self, i: int, col: int, parent: int) -> Any:
        """A value that starts at (line i, column col); consumes its line(s)."""
        line = self.lines[i]
        first = line[col]
        if first in "&*!":
            raise self.error(i, f"unsupported YAML feature {first!r} (anchors, aliases, tags)")
        if first in "|>":
            raise self.error(i, "block scalars ('|' and '>') are not supported")
        if first in "%@`":
            raise self.error(i, f"a plain value cannot start with {first!r}")
        if first in ("'", '"'):
            found = self.quoted(i, col, parent, multiline=True)
            assert found is not None
            value, last, end = found
            if not _is_rest_empty(self.lines[last][end:]):
                raise self.error(last, "unexpected text after a quoted value")
            self.i = last + 1
            return value
        if first in "[{":
            value, end = self.flow(i, col)
            if not _is_rest_empty(line[end:]):
                raise self.error(i, "unexpected text after a flow collection")
            self.i = i + 1
            return value
        return self.plain(i, col, parent)

    def plain(self, i: int, col: int, parent: int) -> Any:
        text, ended = self._plain_part(i, self.lines[i][col:])
        pieces = [text]
        blanks = 0
        j = i + 1
        while not ended and j < len(self.lines):
            stripped = self.lines[j].strip()
            if not stripped:
                blanks += 1
                j += 1
                continue
            if stripped.startswith("#") or self.indent_of(j) <= parent or _is_marker(self.lines[j].rstrip()):
                break
            part, ended = self._plain_part(j, stripped)
            pieces.append("\n" * blanks if blanks else " ")
            pieces.append(part)
            blanks = 0
            j += 1
            i = j - 1
        self.i = i + 1
        if len(pieces) == 1:
            return _resolve(text)
        return _resolve("".join(pieces))

    def _plain_part(self, i: int, text: str) -> tuple[str, bool]:
        """One line of a plain scalar: (text, whether a comment ended it)."""
        comment = text.find(" #")
        tab_comment = text.find("\t#")
        if tab_comment >= 0 and (comment < 0 or tab_comment < comment):
            comment = tab_comment
        ended = comment >= 0
        if ended:
            text = text[:comment]
        text = text.rstrip(" \t")
        if ": " in text or ":\t" in text or text.endswith(":"):
            raise self.error(i, "a ':' followed by a space inside a plain value (quote the value)")
        if text.startswith(("- ", "? ")) or text in ("-", "?"):
            raise self.error(i, "unexpected sequence entry or key indicator inside a value")
        return text, ended

    def quoted(self, i: int, col: int, parent: int, *, multiline: bool) -> tuple[str, int, int] | None:
        """A quoted scalar starting at (i, col): (value, last line index, column after the
        closing quote). Single-line mode returns None when the quote does not close."""
        quote = self.lines[i][col]
        buf: list[str] = []
        raw_ws: int | None = None  # where trailing unescaped blanks began in buf
        li, pos = i, col + 1
        line = self.lines[li]
        while True:
            escaped_break = False
            while pos < len(line):
                ch = line[pos]
                if quote == "'":
                    if ch == "'":
                        if line[pos + 1 : pos + 2] == "'":
                            buf.append("'")
                            raw_ws = None
                            pos += 2
                            continue
                        return "".join(buf), li, pos + 1
                elif ch == '"':
                    return "".join(buf), li, pos + 1
                elif ch == "\\":
                    if pos + 1 == len(line):
                        escaped_break = True
                        pos += 1
                        break
                    pos = self._escape(li, line, pos + 1, buf)
                    raw_ws = None
                    continue
                if ch in " \t":
                    if raw_ws is None:
                        raw_ws = len(buf)
                else:
                    raw_ws = None
                buf.append(ch)
                pos += 1
            if not multiline:
                return None
            if raw_ws is not None and not escaped_break:
                del buf[raw_ws:]
            raw_ws = None
            blanks = 0
            li += 1
            while li < len(self.lines) and not self.lines[li].strip():
                blanks += 1
                li += 1
            if li >= len(self.lines) or _is_marker(self.lines[li].rstrip()):
                raise self.error(i, f"unterminated quoted value (no closing {quote})")
            line = self.lines[li]
            if len(line) - len(line.lstrip(" ")) <= parent:
                raise self.error(li, "bad indentation inside a quoted value")
            pos = len(line) - len(line.lstrip(" \t"))
            if blanks:
                buf.append("\n" * blanks)
            elif not escaped_break:
                buf.append(" ")

    def _escape(self, li: int, line: str, pos: int, buf: list[str]) -> int:
        """Decode the escape whose letter is at `pos`; returns the position after it."""
        letter = line[pos]
        if letter in _ESCAPES:
            buf.append(_ESCAPES[letter])
            return pos + 1
        if letter in _HEX_ESCAPES:
            n = _HEX_ESCAPES[letter]
            digits = line[pos + 1 : pos + 1 + n]
            if len(digits) != n or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.error(li, f"bad escape '\\{letter}{digits}' in a double-quoted value")
            buf.append(chr(int(digits, 16)))
            return pos + 1 + n
        raise self.error(li, f"unknown escape '\\{letter}' in a double-quoted value")

    def flow(self, i: int, col: int) -> tuple[Any, int]:
        """A one-line flow collection starting at (i, col): (value, column after it)."""
        line = self.lines[i]

        def skip(p: int) -> int:
            while p < len(line) and line[p] in " \t":
                p += 1
            if p >= len(line):
                raise self.error(i, "flow collections ('[...]', '{...}') must be on one line")
            return p

        def scalar(p: int, in_map: bool) -> tuple[Any, int]:
            ch = line[p]
            if ch in ("'", '"'):
                found = self.quoted(i, p, -1, multiline=False)
                if found is None:
                    raise self.error(i, "unterminated quoted value in a flow collection")
                return found[0], found[2]
            if ch in "&*!|>%@`?":
                raise self.error(i, f"unsupported YAML feature {ch!r} in a flow collection")
            start = p
            while p < len(line) and line[p] not in _FLOW_END:
                if in_map and line[p] == ":" and (p + 1 == len(line) or line[p + 1] in " \t,]}"):
                    break
                if line[p] == "#" and line[p - 1] in " \t":
                    raise self.error(i, "flow collections ('[...]', '{...}') must be on one line")
                p += 1
            return _resolve(line[start:p].strip()), p

        def node(p: int, in_map: bool) -> tuple[Any, int]:
            p = skip(p)
            if line[p] == "[":
                items: list[Any] = []
                p = skip(p + 1)
                while line[p] != "]":
                    value, p = node(p, False)
                    items.append(value)
                    p = skip(p)
                    if line[p] == ",":
                        p = skip(p + 1)
                    elif line[p] != "]":
                        raise self.error(i, "expected ',' or ']' in a flow sequence")
                return items, p + 1
            if line[p] == "{":
                mapping: dict[str, Any] = {}
                p = skip(p + 1)
                while line[p] != "}":
                    key, p = scalar(p, True)
                    p = skip(p)
                    if line[p] != ":":
                        raise self.error(i, "expected ':' in a flow mapping")
                    value, p = node(p + 1, True)
                    if not isinstance(key, str):
                        key = "" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
                    if key in mapping:
                        raise self.error(i, f"duplicate key {key!r}")
                    mapping[key] = value
                    p = skip(p)
                    if line[p] == ",":
                        p = skip(p + 1)
                    elif line[p] != "}":
                        raise self.error(i, "expected ',' or '}' in a flow mapping")
                return mapping, p + 1
            return scalar(p, in_map)

        return node(col, False)
