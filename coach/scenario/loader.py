"""Strict loading of a trainer's YAML scenario file into a `Scenario`, never a traceback.

The file is untrusted: it is read as bytes (size capped), decoded as strict UTF-8 (a BOM is
allowed) and parsed with libyaml's C parser only. Plain Python data is built from the parser's
event stream in one iterative walk, which lets the loader refuse anchors and aliases (alias bombs)
and merge keys the moment it meets them, refuse duplicate keys naming both lines, cap nesting depth
and node count, and record where every key and list item sits (a position map). Plain scalars are
resolved with the YAML 1.2 core schema (`yes`, `no`, `on`, `off` stay text; `10:30` stays text).
The data is then validated once with `Scenario.model_validate`, and each pydantic error is mapped
back to `file:line:col` with a message in plain words.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from coach.scenario.diagnostics import Diagnostic
from coach.scenario.model import Choice, Customer, Scenario, Step
from coach.scenario.text import clean_text

__all__ = [
    "Diagnostic",
    "LoadResult",
    "ScenarioError",
    "load_scenario",
    "load_scenario_strict",
    "load_scenario_text",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
]

MAX_BYTES = 1024 * 1024  # 1 MiB: a real scenario is a few kB
MAX_DEPTH = 32  # a scenario nests about 8 levels deep
MAX_NODES = 100_000  # a real scenario has about a thousand
MAX_ERRORS = 50  # per file; the rest are summarised in one line

Position = tuple[int, int]
Path_ = tuple  # a data path such as ("steps", "calm", "choices", 0, "act")

_CSafeLoader = getattr(yaml, "CSafeLoader", None)


@dataclass
class LoadResult:
    path: str
    scenario: Scenario | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


class ScenarioError(Exception):
    """A scenario file has errors; the message lists the first of them, one per line."""

    def __init__(self, result: LoadResult, limit: int = 5) -> None:
        self.result = result
        errors = result.errors
        lines = [d.format() for d in errors[:limit]]
        if len(errors) > limit:
            lines.append(f"... and {len(errors) - limit} more errors")
        super().__init__("\n".join(lines) or f"{result.path}: cannot be loaded")


class _Refused(Exception):
    """Stops loading: the input is refused at a position."""

    def __init__(self, message: str, code: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.code, self.line, self.col = message, code, line, col


# --------------------------------------------------------------------------------------------
# Public API


def load_scenario(path: str | Path, *, lint: bool = True) -> LoadResult:
    """Load and check one scenario file. Never raises for bad input: see `diagnostics`."""
    shown = str(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) and not os.path.isdir(path):
            # a FIFO would block the open forever; a device could be endless
            return _fail(shown, b"", "is not a regular file (a named pipe, device or socket); give a scenario "
                         "file", "read-error")
    except OSError:
        pass  # the open below says what is wrong
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except IsADirectoryError:
        return _fail(shown, b"", "is a folder, not a scenario file", "read-error")
    except FileNotFoundError:
        return _fail(shown, b"", "no such file", "read-error")
    except OSError as exc:
        return _fail(shown, b"", f"cannot be read: {exc.strerror or exc}", "read-error")
    return load_scenario_text(data, shown, lint=lint)


def load_scenario_text(data: bytes, path: str = "<string>", *, lint: bool = True) -> LoadResult:
    """Load and check a scenario from the bytes of a file."""
    if isinstance(data, str):  # be forgiving to callers holding text already
        data = data.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_BYTES:
        return _fail(
            path, data,
            f"file is too large (over {MAX_BYTES // 1024} KiB); a scenario is a few kB",
            "too-large",
        )
    try:
        text = _decode(data)
        tree, positions = _parse(text)
    except _Refused as exc:
        return _fail(path, data, exc.message, exc.code, exc.line, exc.col)
    except RecursionError:
        return _fail(path, data, "the file nests too deeply", "too-deep")
    except Exception as exc:  # a safety net: a bad file is a diagnostic, never a traceback
        return _fail(path, data, f"cannot be read as a scenario ({type(exc).__name__})", "internal")

    result = LoadResult(path, None, [], positions, digest)
    try:
        result.scenario = Scenario.model_validate(tree)
    except ValidationError as exc:
        result.diagnostics.extend(_validation_diagnostics(exc, tree, positions, path))
    except RecursionError:
        result.diagnostics.append(Diagnostic(path, 1, 1, "error", "the file nests too deeply", "too-deep"))
    except Exception as exc:  # a safety net, as above
        result.diagnostics.append(Diagnostic(
            path, 1, 1, "error", f"cannot be checked ({type(exc).__name__})", "internal"
        ))
    if result.scenario is not None and lint:
        from coach.scenario.lint import lint as run_lint

        result.diagnostics.extend(run_lint(result.scenario, positions, path))
        result.diagnostics.sort(key=lambda d: (d.line, d.col, d.severity != "error"))
    return result


def load_scenario_strict(path: str | Path) -> Scenario:
    """The scenario in a file, or ScenarioError listing its errors."""
    result = load_scenario(path)
    if not result.ok or result.scenario is None:
        raise ScenarioError(result)
    return result.scenario


def _fail(path: str, data: bytes, message: str, code: str, line: int = 1, col: int = 1) -> LoadResult:
    diag = Diagnostic(path, line, col, "error", message, code)
    return LoadResult(path, None, [diag], {}, hashlib.sha256(data).hexdigest())


# --------------------------------------------------------------------------------------------
# Bytes to text


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Refused("file is UTF-16; save it as UTF-8", "encoding")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        bad = data[exc.start : exc.start + 1].hex()
        raise _Refused(
            f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8", "encoding", line, col
        ) from None


def _byte_position(data: bytes, offset: int) -> Position:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return line, col


# --------------------------------------------------------------------------------------------
# Text to plain data, with positions

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAGS = (None, "!", "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "!", "tag:yaml.org,2002:seq")
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}
_MAYBE_TYPED = frozenset("~nNtTfF-+.0123456789")
#: Digits a number in a scenario may have (a mood is 0-100); a 5,000-digit integer would otherwise
#: reach Python's int/str conversion limit deep inside validation.
MAX_DIGITS = 30
_NO_VALUE = object()


def _resolve_plain(value: str) -> Any:
    """A plain (unquoted, untagged) scalar under the YAML 1.2 core schema."""
    if value and value[0] not in _MAYBE_TYPED:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if _INT.match(value):
        return int(value)
    if _INT_OCT.match(value):
        return int(value[2:], 8)
    if _INT_HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value)
    if value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    return value


def _number_too_long(ev: ScalarEvent) -> None:
    """Refuse a number with more digits than any scenario needs, at its position."""
    value = ev.value
    if len(value) > MAX_DIGITS and (_INT.match(value) or _INT_OCT.match(value) or _INT_HEX.match(value)
                                    or _FLOAT.match(value)):
        raise _Refused(f"a number {len(value)} characters long is too large for a scenario "
                       f"(at most {MAX_DIGITS})",
                       "number-too-large", *_pos(ev))


def _scalar(ev: ScalarEvent) -> Any:
    tag = ev.tag
    if tag is None:
        if ev.style:
            return ev.value
        _number_too_long(ev)
        return _resolve_plain(ev.value)
    if tag == "!" or tag == _STR_TAG:
        return ev.value
    if tag not in _SCALAR_TAGS:
        raise _Refused(f"tag {_show(tag)} is not allowed in a scenario", "tag", *_pos(ev))
    _number_too_long(ev)
    value = _resolve_plain(ev.value)
    want = tag.rsplit(":", 1)[1]
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "null": value is None,
    }[want]
    if not ok:
        raise _Refused(f"{_show(ev.value)} is not a valid !!{want}", "tag", *_pos(ev))
    return float(value) if want == "float" else value


def _pos(ev: Any) -> Position:
    mark = ev.start_mark
    return mark.line + 1, mark.column + 1


def _parse(text: str) -> tuple[dict, dict[tuple, Position]]:
    if _CSafeLoader is None:  # pragma: no cover - the C loader is a hard requirement
        raise _Refused("PyYAML was built without libyaml; reinstall PyYAML with its C loader", "yaml")
    loader = _CSafeLoader(text)
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise _Refused(_yaml_message(exc, _char_at(text, line, col)), "yaml-syntax", line, col) from None
    except yaml.reader.ReaderError as exc:
        line, col = _byte_position(text.encode("utf-8"), exc.position)
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise _Refused(
            f"character {what} is not allowed in YAML ({exc.reason})", "yaml-syntax", line, col
        ) from None
    except yaml.YAMLError as exc:
        raise _Refused(f"YAML error: {_plain(str(exc))}", "yaml-syntax") from None
    finally:
        loader.dispose()


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n", line)
    if len(lines) >= line and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _yaml_message(exc: yaml.MarkedYAMLError, char: str = "") -> str:
    problem = _plain(exc.problem or "invalid YAML")
    if char == "\t" or "'\\t'" in problem:
        return f"YAML syntax: {problem} (tabs are not allowed for indentation; use spaces)"
    msg = f"YAML syntax: {problem}"
    if exc.context:
        msg += f" ({_plain(exc.context)}"
        if exc.context_mark is not None and exc.context_mark is not exc.problem_mark:
            msg += f" at line {exc.context_mark.line + 1}"
        msg += ")"
    return msg


def _build(loader: Any) -> tuple[dict, dict[tuple, Position]]:
    """Plain data and the position map from the parser's events, in one iterative walk."""
    get = loader.get_event
    get()  # StreamStart
    ev = get()
    if type(ev) is StreamEndEvent:
        raise _Refused("the file is empty; a scenario is a mapping of keys (id, title, steps, …)", "empty")
    positions: dict[tuple, Position] = {(): (1, 1)}
    root: Any = _NO_VALUE
    # A frame is [container, is_mapping, path, pending_key]; pending_key is _NO_VALUE between
    # entries of a mapping.
    stack: list[list] = []
    nodes = 0
    depth_limit = MAX_DEPTH
    node_limit = MAX_NODES
    ev = get()
    while True:
        t = type(ev)
        if t is ScalarEvent or t is MappingStartEvent or t is SequenceStartEvent:
            nodes += 1
            if nodes > node_limit:
                raise _Refused(f"the file has too many entries (over {node_limit})", "too-many-nodes", *_pos(ev))
            if ev.anchor is not None:
                raise _Refused(
                    "anchors (&name) and aliases (*name) are not allowed; write the text out",
                    "anchor", *_pos(ev),
                )
            if stack:
                frame = stack[-1]
                if frame[1] and frame[3] is _NO_VALUE:  # a mapping key
                    if t is not ScalarEvent:
                        raise _Refused("a key must be a plain word, not a list or mapping", "complex-key", *_pos(ev))
                    key = ev.value
                    if key == "<<" and not ev.style and ev.tag is None:
                        raise _Refused("merge keys (<<) are not allowed; write the keys out", "merge-key", *_pos(ev))
                    if ev.tag is not None and ev.tag not in ("!", _STR_TAG):
                        raise _Refused(f"tag {_show(ev.tag)} is not allowed on a key", "tag", *_pos(ev))
                    kpath = frame[2] + (key,)
                    if key in frame[0]:
                        first = positions[kpath][0]
                        line = ev.start_mark.line + 1
                        raise _Refused(
                            f"duplicate key {_show(key)} (lines {first} and {line})",
                            "duplicate-key", *_pos(ev),
                        )
                    positions[kpath] = _pos(ev)
                    frame[3] = key
                    frame[0][key] = None  # reserve: a duplicate is seen even if the value nests
                    ev = get()
                    continue
                if frame[1]:
                    path = frame[2] + (frame[3],)
                else:
                    path = frame[2] + (len(frame[0]),)
                    positions[path] = _pos(ev)
            else:
                path = ()
                if t is not MappingStartEvent:
                    if t is SequenceStartEvent:
                        raise _Refused(
                            "the top level is a list; a scenario is a mapping of keys (id, title, steps, …)",
                            "not-mapping", *_pos(ev),
                        )
                    if not ev.style and ev.value == "" and ev.tag is None:
                        raise _Refused(
                            "the file is empty; a scenario is a mapping of keys (id, title, steps, …)",
                            "empty",
                        )
                    raise _Refused(
                        "the top level is a single value; a scenario is a mapping of keys (id, title, steps, …)",
                        "not-mapping", *_pos(ev),
                    )
            if t is ScalarEvent:
                value = _scalar(ev)
            elif t is MappingStartEvent:
                if ev.tag not in _MAP_TAGS:
                    raise _Refused(f"tag {_show(ev.tag)} is not allowed in a scenario", "tag", *_pos(ev))
                value = {}
            else:
                if ev.tag not in _SEQ_TAGS:
                    raise _Refused(f"tag {_show(ev.tag)} is not allowed in a scenario", "tag", *_pos(ev))
                value = []
            if stack:
                frame = stack[-1]
                if frame[1]:
                    frame[0][frame[3]] = value
                    frame[3] = _NO_VALUE
                else:
                    frame[0].append(value)
            else:
                root = value
            if t is not ScalarEvent:
                if len(stack) >= depth_limit:
                    raise _Refused(f"the file nests too deeply (over {depth_limit} levels)", "too-deep", *_pos(ev))
                stack.append([value, t is MappingStartEvent, path, _NO_VALUE])
        elif t is MappingEndEvent or t is SequenceEndEvent:
            stack.pop()
            if not stack:
                break
        elif t is AliasEvent:
            raise _Refused(
                "anchors (&name) and aliases (*name) are not allowed; write the text out",
                "anchor", *_pos(ev),
            )
        else:  # pragma: no cover - libyaml's event grammar leaves nothing else here
            raise _Refused("unexpected YAML structure", "yaml-syntax", *_pos(ev))
        ev = get()
    ev = get()  # DocumentEnd
    if type(ev) is not DocumentEndEvent:  # pragma: no cover
        raise _Refused("unexpected YAML structure", "yaml-syntax", *_pos(ev))
    ev = get()
    if type(ev) is DocumentStartEvent:
        raise _Refused(
            "the file holds several YAML documents (---); put one scenario in each file",
            "multiple-documents", *_pos(ev),
        )
    return root, positions


# --------------------------------------------------------------------------------------------
# Validation errors in plain words

_TYPE_NAMES = {
    str: "text", int: "a number", float: "a number", bool: "true/false",
    type(None): "nothing (an empty value)", list: "a list", dict: "a mapping",
}
_ALL_KEYS = sorted(
    set(Scenario.model_fields) | set(Customer.model_fields) | set(Step.model_fields) | set(Choice.model_fields)
)
_LOCALIZED_HINT = "a text: a string, or one per language like {zh: …, en: …}"


def _show(value: Any, limit: int = 60) -> str:
    """A value from the file, safe and short enough to put in a message."""
    if isinstance(value, str):
        text = clean_text(value).replace("\n", " ")
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        return "'" + text + "'"
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES[type(value)]
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    try:
        return str(value)
    except ValueError:  # an int past Python's str conversion limit
        return "a very long number"


def _plain(text: str) -> str:
    return clean_text(str(text)).replace("\n", " ")


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _walk(tree: Any, loc: tuple) -> tuple[tuple, Any, list]:
    """Follow a pydantic loc through the data: (data path, value there, loc parts not in the data)."""
    path: tuple = ()
    node = tree
    rest: list = []
    for part in loc:
        if rest:
            rest.append(part)
            continue
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
            path += (part,)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path += (part,)
        elif isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "bool", "none")):
            continue  # a union branch tag, not a data key
        else:
            rest.append(part)
    return path, node, rest


def _position(positions: dict[tuple, Position], path: tuple) -> Position:
    while path and path not in positions:
        path = path[:-1]
    return positions.get(path, (1, 1))


def _expected(ctx: dict | None) -> str:
    names = re.findall(r"'([^']*)'", str((ctx or {}).get("expected", "")))
    return ", ".join(names)


def _message(err: dict, value: Any, rest: list) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    loc = err["loc"]
    value_here = err.get("input", value)
    if kind == "missing":
        return f"missing required key {_show(str(loc[-1]))}"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        msg = f"unknown key {_show(key)} (not allowed here)"
        close = difflib.get_close_matches(key, _ALL_KEYS, n=1, cutoff=0.7)
        if close:
            msg += f"; did you mean '{close[0]}'?"
        return msg
    if kind == "literal_error":
        what = "language" if loc and loc[-1] == "[key]" else None
        shown = _show(value_here)
        return f"{what + ' ' if what else ''}{shown} is not one of: {_expected(ctx)}"
    if kind in ("string_type",):
        return f"expected text, got {_type_name(value_here)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_show(value_here)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping (key: value), got {_type_name(value_here)}"
    if kind in ("list_type",):
        return f"expected a list, got {_type_name(value_here)}"
    if kind == "greater_than_equal":
        return f"{_show(value_here)} is too small: the least allowed is {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{_show(value_here)} is too large: the most allowed is {ctx.get('le')}"
    if kind == "too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"needs at least {ctx.get('min_length')} items"
    if kind == "string_too_long":
        return f"too long: at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "a-z0-9-" in pattern and "A-Z" not in pattern:
            return f"{_show(value_here)} is not a valid id: use lower case letters, digits and dashes"
        return f"{_show(value_here)} is not a valid step id: use letters, digits, '_', '.' and '-'"
    if kind == "value_error":
        msg = str(err.get("msg", ""))
        return _plain(msg.removeprefix("Value error, "))
    return _plain(err.get("msg", kind))


def _validation_diagnostics(
    exc: ValidationError, tree: Any, positions: dict[tuple, Position], path: str
) -> list[Diagnostic]:
    errors = exc.errors(include_url=False)
    # A localized text is a union (str | dict): when the file has a mapping there, the str
    # branch's "expected text" is noise next to the dict branch's precise complaint.
    dict_branches = {
        tuple(e["loc"][: i]) for e in errors for i, p in enumerate(e["loc"])
        if isinstance(p, str) and p.startswith("dict[")
    }
    errors = [
        e for e in errors
        if not (
            e["type"] == "string_type" and isinstance(e.get("input"), dict)
            and tuple(e["loc"][:-1]) in dict_branches
            and any(
                tuple(o["loc"][: len(e["loc"]) - 1]) == tuple(e["loc"][:-1]) and o["type"] != "dict_type"
                and _is_dict_branch(o)
                for o in errors
            )
        )
    ]
    # Group by the place in the data, to make union errors of localized texts readable.
    by_place: dict[tuple, list[tuple[dict, Any, list]]] = {}
    for err in errors:
        dpath, value, rest = _walk(tree, tuple(err["loc"]))
        key = dpath + tuple(rest[:1]) if err["type"] in ("missing", "extra_forbidden") else dpath
        by_place.setdefault(key, []).append((err, value, rest))
    out: list[Diagnostic] = []
    seen: set[tuple] = set()
    for place, items in by_place.items():
        kinds = {e["type"] for e, _, _ in items}
        if "string_type" in kinds and ("dict_type" in kinds or any(_is_dict_branch(e) for e, _, _ in items)):
            value = items[0][1]
            # a mapping: the str branch's complaint is noise, unless it is the only one (a mapping
            # where a language's text belongs, e.g. `zh: {}`)
            kept = [it for it in items if it[0]["type"] != "string_type"] if isinstance(value, dict) else []
            if kept:
                items = kept
            else:
                line, col = _position(positions, place)
                sig = (line, col, "text_type")
                if sig not in seen:
                    seen.add(sig)
                    out.append(Diagnostic(
                        path, line, col, "error",
                        f"expected {_LOCALIZED_HINT}; got {_type_name(value)}", "text_type",
                    ))
                continue
        for err, value, rest in items:
            dpath = place
            if err["type"] == "missing":
                dpath = place[:-1]
            line, col = _position(positions, dpath)
            message = _message(err, value, rest)
            sig = (line, col, message)
            if sig in seen:
                continue
            seen.add(sig)
            out.append(Diagnostic(path, line, col, "error", message, err["type"]))
    out.sort(key=lambda d: (d.line, d.col))
    if len(out) > MAX_ERRORS:
        more = len(out) - MAX_ERRORS
        out = out[:MAX_ERRORS] + [Diagnostic(path, out[MAX_ERRORS].line, 1, "error", f"… and {more} more errors", "too-many-errors")]
    return out


def _is_dict_branch(err: dict) -> bool:
    return any(isinstance(p, str) and p.startswith("dict[") for p in err["loc"])
