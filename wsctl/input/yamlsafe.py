"""Safe YAML with line numbers: no object construction, no unbounded alias expansion.

Batch files come from colleagues, HR exports and copy-paste, so the loader must be safe
against hostile input and precise about where a problem is. We let PyYAML compose the node
graph (the C composer when available), then build plain Python values ourselves:
- only the standard YAML tags are accepted (`!!python/object` and friends are refused);
- aliases are expanded while counting nodes, and a file that would expand past a budget
  (a "billion laughs" bomb) is refused after a bounded amount of work;
- duplicate mapping keys are errors (PyYAML silently keeps the last one);
- every mapping remembers the line and column of each key, every list of each item;
- nesting is bounded, numbers are bounded, an explicit tag must fit its value (`!!int abc`);
- a plain scalar that YAML 1.1 retypes (`0123` -> 83, `1.10` -> 1.1, `12:30` -> 750, `yes` ->
  True) keeps the text as written next to the value (`texts`, `item_texts`), so a field that
  wants text takes the text, never the retyped value; plain mapping keys are always that text;
- JSON is read by the same loader (JSON is YAML 1.2 flow style), so it gets the same checks
  and locations: tabs around the document and surrogate-pair escapes are made YAML-readable
  first, without moving anything.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml

try:  # libyaml's composer is several times faster on big batch files
    from yaml import CSafeLoader as _Loader

    _OFFSETS_IN_BYTES = True  # libyaml reports reader errors at byte offsets of the UTF-8 text
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _OFFSETS_IN_BYTES = False

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:binary",
}
MIN_NODE_BUDGET = 200_000
MAX_DEPTH = 100  # a batch file nests four or five levels; libyaml alone stops at 1,000
MAX_NUMBER_DIGITS = 30  # more than any size, timeout or count wsctl takes
NODE_BUDGET_FACTOR = 20


class Mark(NamedTuple):
    # A tuple, not a dataclass: one is made for every key and item of a batch (60,000 for
    # 10,000 entries), and a frozen dataclass's __init__ costs several times more.
    line: int  # 1-based
    col: int  # 1-based


class LocatedDict(dict[Any, Any]):
    """A mapping that knows where it and each of its keys are."""

    mark: Mark
    key_marks: dict[Any, Mark]
    value_marks: dict[Any, Mark]
    texts: dict[Any, str]  # key -> the text of a plain value that YAML read as a non-string


class LocatedList(list[Any]):
    mark: Mark
    item_marks: list[Mark]
    item_texts: dict[int, str]  # index -> the text of a plain item that YAML read as a non-string


def text_of(container: Any, key: Any) -> str | None:
    """The text as written of a plain scalar that YAML retyped (`0123`, `1.10`, `yes`, `12:30`), else None."""
    texts = getattr(container, "texts" if isinstance(container, dict) else "item_texts", None)
    return texts.get(key) if texts else None


def as_written(container: Any, key: Any) -> Any:
    """container[key], or its text as written when YAML retyped a plain scalar: for fields that take text."""
    text = text_of(container, key)
    return container[key] if text is None else text


class YamlError(Exception):
    def __init__(self, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def _mark(node: Any) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _MemoLoader(_Loader):
    """Resolves each distinct plain scalar once.

    PyYAML runs the implicit resolvers' regular expressions (int, float, bool, null,
    timestamp...) on every plain scalar, in Python even under libyaml; a batch repeats the
    same keys and values thousands of times. Safe resolvers depend only on the value and
    its style, so the answer can be kept.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._resolved: dict[tuple[str, Any], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._resolved[key] = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_json(text: str) -> bool:
    """A document that starts with `{` or `[` is read as JSON (flow style)."""
    return text.lstrip()[:1] in ("{", "[")


def _json_as_yaml(text: str) -> str:
    """JSON as libyaml reads it with the same meaning, every line and column where it was.

    Tabs before and after the top-level value are whitespace in JSON but not in YAML's block
    context (inside the braces libyaml takes them): they become spaces. "\\ud83d\\ude00" (how
    json.dumps writes an emoji) is one character in JSON and an error in YAML, which wants
    "\\U0001f600" (two characters shorter: a later column on that line is two less).
    A lone surrogate escape stays as it is, and libyaml refuses it with its place.
    """
    start = len(text) - len(text.lstrip(" \t\r\n"))
    end = len(text.rstrip(" \t\r\n"))
    text = text[:start].replace("\t", " ") + text[start:end] + text[end:].replace("\t", " ")

    def pair(match: re.Match[str]) -> str:
        high, low = int(match[2], 16), int(match[3], 16)
        return f"{match[1]}\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"

    return _SURROGATE_PAIR.sub(pair, text) if "\\u" in text else text


def load(text: str) -> Any:
    """Parse one YAML (or JSON) document into located plain values. Raises YamlError."""
    json_like = is_json(text)
    syntax = "JSON" if json_like else "YAML"
    source = _json_as_yaml(text) if json_like else text
    try:
        root = yaml.compose(source, Loader=_MemoLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = exc.problem or exc.context or f"invalid {syntax}"
        if not json_like and (where is not None and _char_at(text, where) == "\t" or "\\t" in problem):
            problem = "a tab character; YAML indentation must use spaces"
        raise YamlError(f"{syntax} syntax error: {problem}", where) from None
    except yaml.reader.ReaderError as exc:
        # A NUL or other control character: PyYAML says only "position N" (in bytes under libyaml).
        raise YamlError(
            f"{syntax} syntax error: the character {_code_point(exc.character)} is not allowed ({exc.reason})",
            _mark_of_offset(source, exc.position),
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{syntax} syntax error: {exc}") from None
    if root is None:
        return None
    return _Builder(root, source).build(root)


def _code_point(character: Any) -> str:
    number = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{number:04X}"


def _mark_of_offset(text: str, offset: int) -> Mark:
    before = text.encode("utf-8")[:offset].decode("utf-8", "ignore") if _OFFSETS_IN_BYTES else text[:offset]
    return Mark(before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)


def _char_at(text: str, mark: Mark) -> str:
    lines = text.splitlines()
    if 0 < mark.line <= len(lines) and 0 < mark.col <= len(lines[mark.line - 1]):
        return lines[mark.line - 1][mark.col - 1]
    return ""


def _count_nodes(root: Any) -> int:
    """Distinct nodes in the composed graph (aliases point at shared nodes)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


_SCALAR_TAGS = _STANDARD_TAGS - {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"}
_NULL_TEXTS = {"", "~", "null", "Null", "NULL"}


_EXPLICIT_TAG = re.compile(r"(?:&\S+\s+)?!")


class _Builder:
    def __init__(self, root: Any, text: str) -> None:
        self.root = root
        self.text = text  # marks' indexes count characters of it (libyaml and PyYAML alike)
        # The budget depends on the distinct nodes, but counting them is a walk of its own:
        # only a document that reaches the minimum budget is counted (once).
        self.budget = MIN_NODE_BUDGET
        self.counted = False
        self.visited = 0
        self._scalars = yaml.SafeLoader("")  # only its scalar constructors and resolver are used
        self._implicit: dict[str, str] = {}

    def build(self, node: Any, active: frozenset[int] = frozenset()) -> Any:
        self.visited += 1
        if self.visited > self.budget and not self.counted:
            self.counted = True
            self.budget = max(MIN_NODE_BUDGET, NODE_BUDGET_FACTOR * _count_nodes(self.root))
        if self.visited > self.budget:
            raise YamlError(
                f"the document expands to more than {self.budget:,} values through aliases (&/*); "
                "refusing it (an alias bomb?)",
                _mark(node),
            )
        if node.tag not in _STANDARD_TAGS:
            raise YamlError(f"unsupported tag {node.tag!r}; only plain YAML values are allowed", _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if len(active) >= MAX_DEPTH:
            raise YamlError(f"nested more than {MAX_DEPTH} levels deep; a batch file needs a few", _mark(node))
        if id(node) in active:
            raise YamlError("recursive alias", _mark(node))
        inner = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise YamlError(f"the tag {_short(node.tag)} does not fit a list", _mark(node))
            items = LocatedList()
            items.mark = _mark(node)
            items.item_marks = []
            items.item_texts = {}
            for index, child in enumerate(node.value):
                items.append(self.build(child, inner))
                items.item_marks.append(_mark(child))
                text = self.retyped_text(child)
                if text is not None:
                    items.item_texts[index] = text
            return items
        if node.tag != "tag:yaml.org,2002:map":
            raise YamlError(f"the tag {_short(node.tag)} does not fit a mapping", _mark(node))
        return self._mapping(node, inner)

    def retyped_text(self, node: Any, *, null: bool = False) -> str | None:
        """The text of a plain scalar that YAML's implicit rules read as a non-string, else None.

        A null value (`~`, `null`, nothing) stays null: it means "not given"; as a key (null=True)
        it is the text, so `~` and `null` are two keys.
        """
        if not isinstance(node, yaml.ScalarNode) or node.style not in (None, "") or node.tag == _STR:
            return None
        if node.tag == _NULL and not null:
            return None
        if _EXPLICIT_TAG.match(self.text, node.start_mark.index):  # `!!int 5`: the user chose the type
            return None
        implicit = self._implicit.get(node.value)
        if implicit is None:
            implicit = self._implicit[node.value] = self._scalars.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, node.value, (True, False)
            )
        return str(node.value) if implicit == node.tag else None

    def _scalar(self, node: Any) -> Any:
        if node.tag == _STR:
            if node.style == '"' and _SURROGATE.search(node.value):  # only an escape can make one
                found = _SURROGATE.search(node.value)
                assert found is not None
                raise YamlError(f"{_code_point(found.group())} is half of a character (a lone surrogate)", _mark(node))
            return node.value  # the common case, without the constructor's bookkeeping
        if node.tag not in _SCALAR_TAGS:
            raise YamlError(f"the tag {_short(node.tag)} does not fit a single value", _mark(node))
        value = str(node.value)
        if node.tag == _INT and len(value.lstrip("+-").replace("_", "")) > MAX_NUMBER_DIGITS:
            digits = len(value.lstrip("+-").replace("_", ""))
            raise YamlError(
                f"a number {digits:,} digits long; at most {MAX_NUMBER_DIGITS} (quote it if it is text)", _mark(node)
            )
        if node.tag == _NULL and value not in _NULL_TEXTS:
            raise YamlError(f"{_preview(value)} is not a valid {_short(node.tag)}", _mark(node))
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, KeyError, AttributeError, TypeError, OverflowError):
            # An explicit tag that does not fit its value: !!int abc, !!bool maybe, !!timestamp x.
            raise YamlError(f"{_preview(value)} is not a valid {_short(node.tag)}", _mark(node)) from None

    def _key(self, key_node: Any, active: frozenset[int]) -> Any:
        """A plain key is the text as written (`~`, `0123`, `yes` are names here, not values)."""
        text = self.retyped_text(key_node, null=True)
        if text is not None:
            return text
        return self.build(key_node, active)

    def _mapping(self, node: Any, active: frozenset[int]) -> LocatedDict:
        out = LocatedDict()
        out.mark = _mark(node)
        out.key_marks = {}
        out.value_marks = {}
        out.texts = {}
        merged: list[LocatedDict] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                value = self.build(value_node, active)
                sources = value if isinstance(value, list) else [value]
                for source in sources:
                    if not isinstance(source, dict):
                        raise YamlError("a merge key (<<) needs a mapping or a list of mappings", _mark(value_node))
                    merged.append(source)  # type: ignore[arg-type]
                continue
            key = self._key(key_node, active)
            if isinstance(key, list | dict):
                raise YamlError("a mapping key must be a plain value", _mark(key_node))
            if key in out.key_marks:
                first = out.key_marks[key]
                raise YamlError(f"duplicate key {key!r} (first at line {first.line})", _mark(key_node))
            out[key] = self.build(value_node, active)
            out.key_marks[key] = _mark(key_node)
            out.value_marks[key] = _mark(value_node)
            text = self.retyped_text(value_node)
            if text is not None:
                out.texts[key] = text
        for source in merged:  # explicit keys win over merged ones
            for key, value in source.items():
                if key not in out.key_marks:
                    out[key] = value
                    marks = getattr(source, "key_marks", {})
                    out.key_marks[key] = marks.get(key, out.mark)
                    out.value_marks[key] = getattr(source, "value_marks", {}).get(key, out.mark)
                    text = text_of(source, key)
                    if text is not None:
                        out.texts[key] = text
        return out


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"


def _short(tag: str) -> str:
    return "!!" + tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else repr(tag)


def _preview(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")
