"""GraphQL execution with a short path for plain fields.

Most of a large answer (an org chart's boxes, a page of members) is scalar and enum fields read
straight off an object. graphql-core runs each of them through the whole field machinery
(resolve info, path, resolver wrapper, value completion), which costs ~10 µs a field here and
made the API several times slower than the SQL behind it. This executor reads the fields below
without that machinery, and sends every other field down graphql-core's own path
(the lists and lookups the read model can answer skip GraphQL's completion altogether: their
answer is built by the database, `Encoded` below):

- a *basic field*: one strawberry itself answers by reading an attribute
  (`StrawberryField.is_basic_field`: no resolver, no field extensions — permission classes are
  field extensions —, read with the schema's default `getattr`);
- a relay node's `id`, when the node resolves ids as strawberry does by default: its id
  attribute, encoded as strawberry's `GlobalID` encodes it;
- `__typename`: the parent type's name, as graphql-core's resolver of the meta field gives it.

A field with a resolver goes down graphql-core's path, but where strawberry's wrapper around the
resolver adds nothing (`registry.api.resolver_calls`) the resolver is called directly, with the
arguments written out in the query coerced once per operation whose plans are kept
(`KeptPlans`: the executions of a prepared query share its collected fields and plans).

A value read so is a leaf, coerced with the field's own type, a list of non-null leaves, or an
object (a tally, a secretary, a member's organisation) whose selection then runs as graphql-core
runs it, when the object's type check is strawberry's own.

No field with arguments or field extensions takes the short path, nor any other field with a
resolver, and no field is read or called directly when a schema extension wraps resolvers
(`SchemaExtension.resolve`, custom query directives), so that the extension sees every field.
Anything unusual on the short path (a null for a non-null field, a value its type refuses, an
attribute that raises, an object its type check refuses) goes down graphql-core's path, so
answers and errors stay exactly as graphql-core gives them (tests/test_execution.py compares the
two).

Each kind is kept because `gridreg bench` shows it saves at least a tenth of a members page or
an org chart; shortcuts that saved less (list items taken past graphql-core's completion, an
object's selection run past it, an object's answer reused) were removed. The executor relies on
graphql-core's and strawberry's internals: their versions are pinned in pyproject.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from math import isfinite
from typing import Any, NamedTuple

from graphql.execution import ExecutionResult, Executor
from graphql.execution.collect_fields import collect_fields
from graphql.execution.executor import CollectedErrors, to_nodes
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path, gather_with_cancel
from strawberry import relay
from strawberry.relay.utils import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    GraphQLString,
    OperationType,
    Undefined,
    is_leaf_type,
)
from registry.api.resolver_calls import ResolverCall, resolver_call
from registry.api.variables import reads_variable

_MISSING = object()
_FULL_PATH = object()  # "answer this field through graphql-core's own path"


# How a plain field's value is read: an attribute, a relay node's id attribute, or the
# parent type's name (`__typename`); 0 is "through graphql-core".
_FULL, _ATTRIBUTE, _NODE_ID, _TYPENAME = range(4)


class _Plain(NamedTuple):
    """How to read one plain field: how and from which attribute, its leaf or
    object type (non-null unwrapped), the field's full type, whether null is allowed (a null for
    a non-null field goes the full path, for its error), for a list of leaves the item type,
    for a relay node's `id` the node class and its GraphQL type name, and for leaves the Python
    type whose values serialise as themselves and the memo of enum names."""

    how: int
    attribute: str
    type: GraphQLLeafType | GraphQLObjectType | None
    field_type: Any
    nullable: bool
    item: GraphQLLeafType | None = None
    each: _Plain | None = None
    node: type | None = None
    type_name: str = ""
    exact: type | None = None
    names: dict[Any, Any] | None = None


# Built-in scalars that serialise a value of exactly this Python type as the value itself
# (Int within 32 bits, Float when finite): such a value needs no coercion call at all.
_IDENTITY = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool, GraphQLInt: int,
             GraphQLFloat: float}  # fmt: skip
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _leaf(how: int, attribute: str, inner: Any, field_type: Any, nullable: bool) -> _Plain:
    """The plain reading of a leaf field, with its shortcut: identity for built-in scalars,
    a memo of names for enums (an enum member always serialises to the same name)."""
    names = {} if isinstance(inner, GraphQLEnumType) else None
    return _Plain(how, attribute, inner, field_type, nullable, exact=_IDENTITY.get(inner),
                  names=names)  # fmt: skip


def _as_is(exact: type, value: Any) -> bool:
    """Whether a value of exactly type `exact` serialises to itself."""
    if exact is int:
        return bool(_INT_MIN <= value <= _INT_MAX)
    return exact is not float or isfinite(value)


def _unwrapped(field_def: GraphQLField) -> tuple[Any, bool]:
    """A field's type without its non-null wrapper, and whether it is nullable."""
    if isinstance(field_def.type, GraphQLNonNull):
        return field_def.type.of_type, False
    return field_def.type, True


def _reads_attribute(field_def: GraphQLField, definition: StrawberryField) -> bool:
    """Whether strawberry answers the field by reading its attribute, and nothing else:
    strawberry's own basic field (no resolver, no field extensions, so no permission
    classes), resolved by strawberry's default resolver, with `getattr` as the schema's
    `default_resolver`."""
    return (
        definition.is_basic_field
        and getattr(field_def.resolve, "_is_default", False)
        and definition.default_resolver is getattr
    )


_NODE_ID_RESOLVER = relay.Node.__dict__["_id"].__func__  # strawberry's resolver of node ids
_TYPENAME_TYPE = GraphQLNonNull(GraphQLString)


def _node_id_of(
    parent_type: GraphQLObjectType, field_def: GraphQLField, resolver: Any
) -> _Plain | None:
    """The plain reading of a relay node's `id`, when the node resolves ids as strawberry does
    by default (its id attribute, the GraphQL type's name)."""
    if getattr(resolver, "__func__", None) is not _NODE_ID_RESOLVER:
        return None
    if not isinstance(field_def.type, GraphQLNonNull):
        return None
    origin = getattr((parent_type.extensions or {}).get("strawberry-definition"), "origin", None)
    if not isinstance(origin, type) or not issubclass(origin, relay.Node):
        return None
    for method in ("resolve_id", "resolve_typename"):
        if getattr(origin, method).__func__ is not getattr(relay.Node, method).__func__:
            return None
    return _Plain(_NODE_ID, origin.resolve_id_attr(), None, field_def.type, False, node=origin,
                  type_name=parent_type.name)  # fmt: skip


def _value_of(how: int, attribute: str, field_def: GraphQLField) -> _Plain | None:
    """The plain reading of a field whose value is an attribute: a leaf, a
    list of non-null leaves, or an object whose type check is strawberry's own (it ignores the
    resolve info, which the short path does not build)."""
    inner, nullable = _unwrapped(field_def)
    if is_leaf_type(inner):
        return _leaf(how, attribute, inner, field_def.type, nullable)
    if isinstance(inner, GraphQLObjectType):
        definition = (inner.extensions or {}).get("strawberry-definition")
        if definition is None or definition.is_type_of is not None:
            return None
        return _Plain(how, attribute, inner, field_def.type, nullable)
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        if isinstance(item, GraphQLNonNull) and is_leaf_type(item.of_type):
            return _Plain(how, attribute, None, field_def.type, nullable, item=item.of_type)
        each = _each_of(inner)
        if each is not None:
            return _Plain(how, attribute, each.type, field_def.type, nullable, each=each)
    return None  # nullable items and abstract types


def _each_of(list_type: GraphQLList) -> _Plain | None:
    """The plain reading of each item of a list of non-null objects whose type check is
    strawberry's own, or None."""
    item = list_type.of_type
    if not isinstance(item, GraphQLNonNull) or not isinstance(item.of_type, GraphQLObjectType):
        return None
    definition = (item.of_type.extensions or {}).get("strawberry-definition")
    if definition is None or definition.is_type_of is not None:
        return None
    return _Plain(_ATTRIBUTE, "", item.of_type, item, False)


def _plain_of(parent_type: GraphQLObjectType, field_details_list: Any) -> _Plain | None:
    """The plain reading of a field, or None when it needs graphql-core's full path."""
    node = field_details_list[0].node
    if node.name.value == "__typename":
        # graphql-core's resolver of the meta field answers the parent type's name.
        return _Plain(_TYPENAME, "", None, _TYPENAME_TYPE, False, type_name=parent_type.name)
    field_def = parent_type.fields.get(node.name.value)
    if node.arguments or field_def is None or field_def.args:
        return None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    # Only strawberry's own field class, with no field extensions: a subclass may change how
    # it answers, and an extension (a permission class among them) must see every call.
    if type(definition) is not StrawberryField or definition.extensions:
        return None
    if _reads_attribute(field_def, definition):
        return _value_of(_ATTRIBUTE, definition.python_name, field_def)
    resolver = getattr(definition.base_resolver, "wrapped_func", None)
    return _node_id_of(parent_type, field_def, resolver)


# One field of a selection: its response name, its field details, the plain reading or None,
# and that reading's parts unpacked for the loop that runs once per field of an answer (how to
# read it, the attribute, the type whose values are their own answer, the enum
# names memo, whether it holds an object).
_Step = tuple[str, Any, "_Plain | None", int, str, type | None, "dict[Any, Any] | None", bool]


def _step(name: str, details: Any, plain: _Plain | None) -> _Step:
    if plain is None:
        return (name, details, None, _FULL, "", None, None, False)
    same = plain.exact if plain.exact in (str, bool) else None
    is_object = isinstance(plain.type, GraphQLObjectType)
    return (name, details, plain, plain.how, plain.attribute, same, plain.names, is_object)


class Encoded(NamedTuple):
    """A field's whole answer, already encoded as JSON by a compiled read
    (`registry.api.lookahead`): sent on as it is, with no completion."""

    json: Any  # an orjson.Fragment


@dataclass(slots=True)
class KeptPlans:
    """What the executions of one query operation share when its variables cannot change
    which fields it selects (no `@skip`/`@include` reads a variable): its root fields, once
    collected, the sub-fields graphql-core collects under each field, and the short path's
    plans of each selection. Every execution would find the same again; kept, a small query
    (`{ __typename }`, a lookup) spends its time answering rather than collecting."""

    root: dict[str, Any] | None = None
    # An executor of the operation, never run: each request's is a copy (`again`).
    executor: PlainFieldExecutionContext | None = None
    sub_fields: dict[Any, Any] = field(default_factory=dict)
    plans: dict[int, tuple[Any, list[_Step] | None]] = field(default_factory=dict)
    lists: dict[GraphQLList[Any], _Plain | None] = field(default_factory=dict)
    calls: dict[int, tuple[Any, _Called | None]] = field(default_factory=dict)


class _Called(NamedTuple):
    """A field whose resolver is called directly: the field, the call, and its argument
    values when the field's arguments are written out (the same on every request)."""

    field_def: GraphQLField
    call: ResolverCall
    values: dict[str, Any] | None


class PlainFieldExecutionContext(Executor):
    """strawberry's execution context, reading plain fields directly (module docstring).

    It is built on graphql-core's plain executor, not on the incremental one strawberry's
    context extends: the registry's schema has no @defer or @stream, and the incremental
    executor's set-up and response cost a small answer (`{ __typename }`) a quarter of its
    execution. A schema that delivers incrementally is refused (`build`)."""

    # strawberry's resolve info: resolvers see the coerced variables and the operation's
    # extensions.
    build_resolve_info = StrawberryGraphQLCoreExecutionContext.build_resolve_info

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.operation_extensions = kwargs.pop("operation_extensions", None)
        kept: KeptPlans | None = kwargs.pop("kept", None)
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._short_path = manager is None or not manager.middlewares
        self._kept = kept
        if kept is None:
            kept = KeptPlans()
        else:
            self._relevant_sub_fields = kept.sub_fields
        # Plans per grouped field set (the same object for every item of a list); the set is
        # kept beside its plan so that its id cannot be reused while the plan is.
        self._plans = kept.plans
        # The item reading of each list type a resolver's list is completed as (None: none).
        self._lists = kept.lists
        # How each field with a resolver is called, by its field details (kept like plans).
        self._calls = kept.calls

    def again(
        self, context_value: Any, variable_values: VariableValues
    ) -> PlainFieldExecutionContext:
        """An executor of the same operation for another request, copied from this one: what
        an execution changes is new, the rest is the operation's (`KeptPlans`). Setting one up
        as graphql-core does cost a third of `{ __typename }`'s instructions."""
        assert self._kept is not None, "only an operation whose plans are kept is run again"
        executor = object.__new__(type(self))
        executor.__dict__.update(self.__dict__)
        executor.context_value = context_value
        executor.variable_values = variable_values
        # The state of one execution, as graphql-core's `__init__` starts it.
        executor.collected_errors = CollectedErrors()
        executor.async_helpers = GraphQLResolveInfoHelpers(
            gather=executor.gather_async_work, track=executor.track_async_work
        )
        executor.pending_incremental_futures = set()
        executor.background_futures = set()
        executor.async_work_finished_hook_task = None
        return executor

    @classmethod
    def build(cls, schema: GraphQLSchema, *args: Any, **kwargs: Any) -> Any:
        """graphql-core's `Executor.build`, for a schema without incremental delivery."""
        if schema.get_directive("defer") or schema.get_directive("stream"):
            raise TypeError(
                "this executor answers whole responses only: build the schema without "
                "incremental execution (@defer, @stream)"
            )
        return super().build(schema, *args, **kwargs)

    def execute_operation(self, serially: bool | None = None) -> Any:
        """graphql-core's, for a query whose root fields were collected by an earlier
        execution (`KeptPlans`): run as graphql-core runs them once collected."""
        kept = self._kept
        if (
            kept is None
            or serially
            or self.abort_signal is not None
            or self.hooks is not None
            or self.operation.operation is not OperationType.QUERY
        ):
            return super().execute_operation(serially)
        root_type = self.schema.query_type
        root = kept.root
        if root is None:
            try:
                root = collect_fields(
                    self.schema, self.fragments, self.variable_values, root_type,  # type: ignore[arg-type]  # a schema answering queries has one
                    self.operation, self.hide_suggestions,
                ).grouped_field_set  # fmt: skip
            except Exception:  # noqa: BLE001 - graphql-core's own path reports it
                return super().execute_operation(serially)
            kept.root = root
        try:
            result = self.execute_fields(root_type, self.root_value, None, root, None)  # type: ignore[arg-type]  # as above
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        if self.is_awaitable(result):
            return self._response(result)
        return self.build_response(result)

    async def _response(self, result: Any) -> ExecutionResult:
        try:
            data = await result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)  # type: ignore[return-value]  # whole responses only
        return self.build_response(data)  # type: ignore[return-value]  # as above

    def build_response(self, data: dict[str, Any] | None) -> Any:
        """graphql-core's, then the executor's tie to its async helpers cut: their bound
        methods point back at it, a cycle only Python's collector frees, and it held every
        request's executor, context and error list until then (7 % of a server's CPU under
        load). The whole response is built; a resolver still at work holds its own helpers
        through its `info`."""
        response = super().build_response(data)
        del self.async_helpers
        return response

    def _called(self, parent_type: GraphQLObjectType, details: Any) -> _Called | None:
        """How the field of `details` is called directly, or None (`resolver_call`)."""
        key = id(details)
        cached = self._calls.get(key)
        if cached is not None and cached[0] is details:
            return cached[1]
        called = None
        node = details[0].node
        field_def = parent_type.fields.get(node.name.value)
        call = None if field_def is None else resolver_call(self.schema, parent_type, field_def)
        if call is not None and details[0].fragment_variable_values is None:
            values = None
            if not any(map(reads_variable, node.arguments or ())):
                # Written out: coerced once (an error is left to each request to report).
                try:
                    values = get_argument_values(field_def, node, self.variable_values)  # type: ignore[arg-type]  # found above
                except Exception:  # noqa: BLE001 - reported by each request's own coercion
                    values = None
            called = _Called(field_def, call, values)  # type: ignore[arg-type]  # as above
        self._calls[key] = (details, called)
        return called

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's, with the resolver called directly where strawberry's wrapper adds
        nothing (`registry.api.resolver_calls`)."""
        called = self._called(parent_type, field_details_list) if self._short_path else None
        if called is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        field_def = called.field_def
        return_type = field_def.type
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        try:
            values = called.values
            if values is None:
                values = get_argument_values(
                    field_def, field_details_list[0].node, self.variable_values,
                    None, self.hide_suggestions,
                )  # fmt: skip
            result = called.call(source, info, values)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = self.complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
            if self.is_awaitable(completed):
                return self._settled(completed, return_type, field_details_list, path)
        except Exception as raw_error:  # noqa: BLE001 - handled as graphql-core handles it
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    def complete_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # A compiled read's answer is complete already: the database built it for exactly
        # this selection (registry.api.lookahead).
        if type(result) is Encoded:
            return result.json
        if self._short_path and type(result) is list and isinstance(return_type, GraphQLList):
            each = self._lists.get(return_type, _MISSING)
            if each is _MISSING:
                each = self._lists[return_type] = _each_of(return_type)
            if each is not None:
                plain = _Plain(_ATTRIBUTE, "", each.type, return_type, False, each=each)
                done = self._objects(plain, result, field_details_list, path, position_context)
                if done is not _FULL_PATH:
                    return done
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Step] | None:
        """The steps of a selection, or None when none of its fields is plain."""
        key = id(grouped_field_set)
        cached = self._plans.get(key)
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        steps: list[_Step] | None = [
            _step(name, details, _plain_of(parent_type, details))
            for name, details in grouped_field_set.items()
        ]
        if all(step[2] is None for step in steps or ()):
            steps = None
        self._plans[key] = (grouped_field_set, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """As graphql-core's, with plain fields read directly; the rest delegated in order."""
        steps = self._plan(parent_type, grouped_field_set) if self._short_path else None
        if steps is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        awaitable: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for name, details, plain, how, attribute, same, names, is_object in steps:
                result: Any = _FULL_PATH
                if how:
                    try:
                        # A node's id is read off nodes of its own class: a subclass may resolve
                        # its ids otherwise.
                        if how == _ATTRIBUTE:
                            value = getattr(source_value, attribute, _MISSING)
                        elif how == _TYPENAME:
                            results[name] = plain.type_name  # type: ignore[union-attr]  # set for the type name
                            continue
                        elif type(source_value) is plain.node:  # type: ignore[union-attr]  # set for node ids
                            value = getattr(source_value, attribute, _MISSING)
                        else:
                            value = _MISSING
                    except Exception:  # noqa: BLE001 - the full path reads it again and reports it
                        value = _MISSING
                    if type(value) is same:
                        results[name] = value  # most fields of a large answer end here
                        continue
                    if names is not None:
                        try:
                            known = names.get(value)
                        except TypeError:  # not hashable: the full path says what is wrong
                            known = None
                        if known is not None:
                            results[name] = known
                            continue
                    if is_object:
                        where = Path(path, name, parent_type.name)
                        if plain.each is not None:  # type: ignore[union-attr]  # set when is_object
                            result = self._objects(plain, value, details, where, position_context)  # type: ignore[arg-type]  # a list of objects here
                        else:
                            result = self._object(plain, value, details, where, position_context)  # type: ignore[arg-type]  # an object type here
                    else:
                        result = _read(plain, value)  # type: ignore[arg-type]  # a leaf type here
                if result is _FULL_PATH:
                    result = self.execute_field(
                        parent_type, source_value, details, Path(path, name, parent_type.name),
                        position_context,
                    )  # fmt: skip
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        awaitable.append(name)
        except Exception:
            if awaitable:
                # Awaitables already started may fail too: let them settle, as graphql-core does.
                self.settle_in_background([results[name] for name in awaitable])
            raise
        if not awaitable:
            return results
        return _gathered(results, awaitable)

    def _object(
        self,
        plain: _Plain,
        value: Any,
        details: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """The completed value of a plain object field at `path`, its selection run as
        graphql-core runs it, or `_FULL_PATH` for a null or anything its type check refuses."""
        if value is None and plain.nullable:
            return None
        if value is None or value is _MISSING or isinstance(value, Exception):
            return _FULL_PATH
        object_type: GraphQLObjectType = plain.type  # type: ignore[assignment]  # objects only reach here
        # strawberry's own type checks ignore the resolve info (`_value_of`); anything but a
        # plain True (False, or an awaitable) gets graphql-core's handling.
        if object_type.is_type_of is not None and object_type.is_type_of(value, None) is not True:
            return _FULL_PATH
        collected = self.collect_subfields(object_type, details)
        return self._selection(plain, value, details, path, collected, position_context)

    def _selection(
        self,
        plain: _Plain,
        value: Any,
        details: Any,
        path: Path,
        collected: Any,
        position_context: Any,
    ) -> Any:
        """The completed value of object `value` at `path`, its sub-fields `collected` for
        its type (`collect_subfields`) run as graphql-core runs them."""
        grouped, defers, _ = collected
        try:
            completed = self.execute_collected_subfields(
                plain.type, value, path, grouped, defers, position_context  # type: ignore[arg-type]  # objects only reach here
            )
        except Exception as error:  # noqa: BLE001 - handled as graphql-core handles it
            self.handle_field_error(error, plain.field_type, details, path)
            return None
        if self.is_awaitable(completed):
            return self._settled(completed, plain.field_type, details, path)
        return completed

    def _objects(
        self,
        plain: _Plain,
        value: Any,
        details: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """The completed value of a list of objects at `path` (a violation's figures, a
        report's violations), each item's selection run as graphql-core runs it, past its
        per-item completion; or `_FULL_PATH` when the list or any item is unusual, decided
        before any item's selection runs."""
        if value is None and plain.nullable:
            return None
        if type(value) is not list:
            return _FULL_PATH
        each: _Plain = plain.each  # type: ignore[assignment]  # lists of objects only reach here
        object_type: GraphQLObjectType = each.type  # type: ignore[assignment]  # an object type
        check = object_type.is_type_of
        for item in value:
            if (
                item is None
                or isinstance(item, Exception)
                or (check is not None and check(item, None) is not True)
            ):
                return _FULL_PATH
        # Every item is an object of the same type under the same fields: their sub-fields
        # are collected once for all (graphql-core looks them up again per item).
        collected = self.collect_subfields(object_type, details)
        completed: list[Any] = []
        awaitable: list[int] = []
        is_awaitable = self.is_awaitable
        try:
            for index, item in enumerate(value):
                where = path.add_key(index, None)
                one = self._selection(each, item, details, where, collected, position_context)
                if is_awaitable(one):
                    awaitable.append(index)
                completed.append(one)
        except Exception:
            if awaitable:
                self.settle_in_background([completed[index] for index in awaitable])
            raise
        if not awaitable:
            return completed
        return _gathered(completed, awaitable)

    async def _settled(self, completed: Any, field_type: Any, details: Any, path: Path) -> Any:
        """An awaitable completion's value; its error handled as graphql-core handles it."""
        try:
            return await completed
        except Exception as error:  # noqa: BLE001 - handled as graphql-core handles it
            self.handle_field_error(error, field_type, details, path)
            return None


def _read(plain: _Plain, value: Any) -> Any:
    """The completed value of a plain leaf, list of leaves or node id, or `_FULL_PATH` when
    anything is unusual."""
    if value is None:
        return None if plain.nullable else _FULL_PATH
    if value is _MISSING or isinstance(value, Exception):
        return _FULL_PATH
    if plain.item is not None:
        return _leaves(plain.item, value)
    if plain.node is not None:
        return to_base64(plain.type_name, str(value))  # as strawberry's `GlobalID` does
    exact = plain.exact
    if exact is not None and type(value) is exact and _as_is(exact, value):
        return value
    try:
        coerced = plain.type.coerce_output_value(value)  # type: ignore[union-attr]  # leaves only
    except Exception:  # noqa: BLE001 - the full path reports it properly
        return _FULL_PATH
    if coerced is None or coerced is Undefined:
        return _FULL_PATH
    if plain.names is not None and isinstance(value, Enum):
        plain.names[value] = coerced  # read back by `execute_fields`
    return coerced


def _leaves(item: GraphQLLeafType, values: Any) -> Any:
    """A list of non-null leaves, coerced, or `_FULL_PATH` when any item is unusual."""
    if not isinstance(values, list):
        return _FULL_PATH
    same = _IDENTITY.get(item)
    if same in (str, bool) and all(type(value) is same for value in values):
        return values  # each is its own answer (a member's skills)
    coerced = []
    for value in values:
        try:
            one = item.coerce_output_value(value) if value is not None else None
        except Exception:  # noqa: BLE001 - the full path reports it properly
            return _FULL_PATH
        if one is None or one is Undefined:
            return _FULL_PATH
        coerced.append(one)
    return coerced


async def _gathered(results: Any, awaitable: list[Any]) -> Any:
    """`results` (an object's fields by name, or a list's items) with its awaitable entries
    awaited (concurrently when there are several)."""
    if len(awaitable) == 1:
        results[awaitable[0]] = await results[awaitable[0]]
    else:
        done = await gather_with_cancel(*(results[key] for key in awaitable))
        for key, value in zip(awaitable, done, strict=True):
            results[key] = value
    return results
