"""The cost of a GraphQL request: how many objects it may return, reckoned from its document
before anything runs (`registry.api.limits` refuses those over the deployment's limit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
    value_from_ast_untyped,
)

# A list with no `first` (covers, offices, chart nodes, ...) is reckoned this long.
UNPAGED_LIST_ESTIMATE = 10
# Values, not records: a reason and its params are built with the object that holds them
# (never read on their own), so they are free like scalars.
VALUE_TYPES = frozenset({"Reason", "MessageParam"})


def request_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    page_size_default: int,
    page_size_max: int,
) -> int:
    """How many objects the operation may produce, at most.

    Every field returning an object (or a list of them) costs one per object it may return,
    plus what its own selection costs per object. A field taking `first` returns up to `first`
    objects (default page size when absent, capped at the maximum); a connection's `edges` and
    `nodes` lists are that same page and do not multiply again; any other list counts as
    UNPAGED_LIST_ESTIMATE. Nested lists multiply. Scalars and VALUE_TYPES are free.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    walker = _CostWalker(schema, fragments, dict(variables or {}), page_size_default, page_size_max)
    return walker.selection_cost(operation.selection_set, root, ())


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        page_default: int,
        page_max: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.page_default = page_default
        self.page_max = page_max

    def selection_cost(
        self, selection_set: SelectionSetNode, parent: Any, seen: tuple[str, ...]
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selection_cost(selection.selection_set, target or parent, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation reports these
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.selection_cost(
                    fragment.selection_set, target or parent, (*seen, name)
                )
        return total

    def field_cost(self, node: FieldNode, parent: Any, seen: tuple[str, ...]) -> int:
        if node.selection_set is None:
            return 0
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None:  # an interface/union member, or unknown: validation decides
            return 1 + self.selection_cost(node.selection_set, parent, seen)
        field_type = definition.type
        if get_named_type(field_type).name in VALUE_TYPES:
            return 0
        if is_non_null_type(field_type):
            field_type = field_type.of_type
        count = 1
        if "first" in definition.args:
            count = self.page_size(node)
        elif is_list_type(field_type):
            in_page = isinstance(parent, GraphQLObjectType) and parent.name.endswith("Connection")
            count = 1 if in_page else UNPAGED_LIST_ESTIMATE
        inner = self.selection_cost(node.selection_set, get_named_type(field_type), seen)
        return count * (1 + inner)

    def page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = value_from_ast_untyped(argument.value, self.variables)
                if isinstance(value, int) and value >= 0:
                    return min(value, self.page_max)
        return self.page_default
