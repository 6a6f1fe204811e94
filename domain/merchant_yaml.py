"""How a merchant file's YAML is read: strictly enough that what passes is what the merchant meant.

PyYAML follows YAML 1.1, where an unquoted ``13:00`` is the base-60 number 780 and a key written twice
silently keeps its last value. Merchant files are read with YAML 1.2's view of numbers (``13:00`` stays
the text "13:00") and a key given twice in one mapping is refused with both line numbers.
"""

from __future__ import annotations

from typing import Any

import yaml

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


class MerchantYamlError(ValueError):
    """The text is not YAML a merchant file may hold; the message says where and why."""


# libyaml's parser when PyYAML has it (its wheels do): the same safe construction, read about ten times
# faster, and every run reads its merchant's file
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _MerchantLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        tag = super().resolve(kind, value, implicit)
        # YAML 1.1's base-60 numbers (13:00 = 780, 1:30:00 = 5400) do not exist in YAML 1.2: keep them as text.
        if kind is yaml.ScalarNode and tag in (_INT, _FLOAT) and ":" in str(value):
            return _STR
        return tag

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            _refuse_duplicate_keys(self, node)
        return super().construct_mapping(node, deep=deep)


def _refuse_duplicate_keys(loader: _MerchantLoader, node: yaml.MappingNode) -> None:
    first_seen: dict[Any, yaml.Mark] = {}
    for key_node, _value in node.value:
        if key_node.tag == _MERGE:
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            earlier = first_seen.get(key)
        except TypeError:  # an unhashable key: PyYAML itself explains that one
            continue
        if earlier is not None:
            raise MerchantYamlError(
                f"line {key_node.start_mark.line + 1}: the key {key!r} appears twice in one mapping (first on line "
                f"{earlier.line + 1}); YAML would silently keep only the last one, so remove one of them")
        first_seen[key] = key_node.start_mark


def parse_merchant_yaml(text: str) -> Any:
    """The document in ``text``; raises ``MerchantYamlError`` on invalid YAML or a repeated key."""
    try:
        return yaml.load(text, Loader=_MerchantLoader)  # a SafeLoader subclass: no arbitrary objects
    except MerchantYamlError:
        raise
    except yaml.YAMLError as exc:
        raise MerchantYamlError(f"not valid YAML: {exc}") from exc
