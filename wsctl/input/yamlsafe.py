"""Safe YAML with line numbers: no object construction, no unbounded alias expansion.

Batch files come from colleagues, HR exports and copy-paste, so the loader must be safe
against hostile input and precise about where a problem is. We let PyYAML compose the node
graph (the C composer when available), then build plain Python values ourselves:
- only the standard YAML tags are accepted (`!!python/object` and friends are refused);
- aliases are expanded while counting nodes, and a file that would expand past a budget
  (a "billion laughs" bomb) is refused after a bounded amount of work;
- duplicate mapping keys are errors (PyYAML silently keeps the last one);
- every mapping remembers the line and column of each key, every list of each item.
"""

from __future__ import annotations

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


class LocatedList(list[Any]):
    mark: Mark
    item_marks: list[Mark]


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


def load(text: str) -> Any:
    """Parse one YAML document into located plain values. Raises YamlError."""
    try:
        root = yaml.compose(text, Loader=_MemoLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if where is not None and _char_at(text, where) == "\t" or "\\t" in problem:
            problem = "a tab character; YAML indentation must use spaces"
        raise YamlError(f"YAML syntax error: {problem}", where) from None
    except yaml.reader.ReaderError as exc:
        # A NUL or other control character: PyYAML says only "position N" (in bytes under libyaml).
        raise YamlError(
            f"YAML syntax error: the character {_code_point(exc.character)} is not allowed ({exc.reason})",
            _mark_of_offset(text, exc.position),
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML syntax error: {exc}") from None
    if root is None:
        return None
    return _Builder(root).build(root)


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


class _Builder:
    def __init__(self, root: Any) -> None:
        self.root = root
        # The budget depends on the distinct nodes, but counting them is a walk of its own:
        # only a document that reaches the minimum budget is counted (once).
        self.budget = MIN_NODE_BUDGET
        self.counted = False
        self.visited = 0
        self._scalars = yaml.SafeLoader("")  # only its scalar constructors are used

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
        if id(node) in active:
            raise YamlError("recursive alias", _mark(node))
        inner = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            items = LocatedList()
            items.mark = _mark(node)
            items.item_marks = []
            for child in node.value:
                items.append(self.build(child, inner))
                items.item_marks.append(_mark(child))
            return items
        return self._mapping(node, inner)

    def _scalar(self, node: Any) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value  # the common case, without the constructor's bookkeeping
        try:
            return self._scalars.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise YamlError(f"bad value: {exc}", _mark(node)) from None

    def _mapping(self, node: Any, active: frozenset[int]) -> LocatedDict:
        out = LocatedDict()
        out.mark = _mark(node)
        out.key_marks = {}
        out.value_marks = {}
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
            key = self.build(key_node, active)
            if isinstance(key, list | dict):
                raise YamlError("a mapping key must be a plain value", _mark(key_node))
            if key in out.key_marks:
                first = out.key_marks[key]
                raise YamlError(f"duplicate key {key!r} (first at line {first.line})", _mark(key_node))
            out[key] = self.build(value_node, active)
            out.key_marks[key] = _mark(key_node)
            out.value_marks[key] = _mark(value_node)
        for source in merged:  # explicit keys win over merged ones
            for key, value in source.items():
                if key not in out.key_marks:
                    out[key] = value
                    marks = getattr(source, "key_marks", {})
                    out.key_marks[key] = marks.get(key, out.mark)
                    out.value_marks[key] = getattr(source, "value_marks", {}).get(key, out.mark)
        return out
