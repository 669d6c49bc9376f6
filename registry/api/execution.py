"""GraphQL execution with a short path for plain fields.

Most of a large answer (an org chart's boxes, a page of members, a rules report) is scalar and
enum fields read straight off an object: strawberry's *basic* fields, with no resolver, no
arguments and no field extensions. graphql-core runs each of them through the whole field
machinery (resolve info, path, resolver wrapper, value completion), which costs ~10 µs a field
here and made the API several times slower than the SQL behind it. This executor reads such a
field with one `getattr` and coerces it with the field's own scalar or enum type (the same
value graphql-core would produce), and a plain field holding an object (a tally, a secretary)
with one `getattr` before completing its selection as graphql-core does. Anything unusual (a
null for a non-null field, a value the type refuses, an exception, a failed type check) goes
down graphql-core's own path, so answers and errors stay exactly as they were.

A relay node's `id` is read the same way: the node's id attribute, encoded as strawberry's
`GlobalID` encodes it, unless the type changes how ids or type names resolve.

An object in a list (a page's member, a chart's node) or in a plain field is type-checked and
its selection run straight through its steps, without graphql-core's generic steps between a
value and its fields; anything deferred, awaitable or refused by its type check takes those
steps as before.

The same object under the same selection is completed once per request and its answer reused
(an organisation or a building shared by a page of members): only answers that are complete
and error-free, so the reused answer is the one a fresh completion would give.

A field whose resolver is marked `prefetched` is read the same way from the object's `ready`
dict when a list query fetched its answer up front (`registry.api.prefetch`): a page of members
then costs no resolver call per nested object. Without a prefetched answer the resolver runs.

The short path is taken only when no schema extension wraps resolvers (`SchemaExtension.resolve`);
with one, every field goes the normal way so the extension sees it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum
from math import isfinite
from typing import Any, NamedTuple, TypeVar

from graphql.pyutils import Path, gather_with_cancel
from strawberry import relay
from strawberry.relay.utils import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_object_type,
)

_MISSING = object()
_FULL_PATH = object()  # "read this field through graphql-core's own path"


_READY_KEY = "_prefetched_as"  # set on resolvers marked `prefetched`: their `ready` key
Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def prefetched(resolver: Resolver) -> Resolver:
    """Mark a field resolver (a method taking `info`) whose answer a list query may fetch up
    front: when the object's `ready` dict holds the method's name, that value is the answer,
    read by the executor like a plain field; otherwise the resolver runs."""
    name = resolver.__name__

    @functools.wraps(resolver)
    def answer(self: Any, info: Any) -> Any:
        ready = self.ready
        if ready is not None and name in ready:
            return ready[name]
        return resolver(self, info)

    setattr(answer, _READY_KEY, name)
    return answer  # type: ignore[return-value]


class _Plain(NamedTuple):
    """How to read one plain field: the Python attribute (or `ready` key), its leaf or object
    type (non-null unwrapped), the field's full type, whether null is allowed (a null for a
    non-null field goes the full path, for its error), whether the value comes from `ready`,
    for a list of leaves the item type, and for a relay node's `id` the node class and its
    GraphQL type name."""

    attribute: str
    type: GraphQLLeafType | GraphQLObjectType | None
    field_type: Any
    nullable: bool
    from_ready: bool = False
    item: GraphQLLeafType | None = None
    node: type | None = None
    type_name: str = ""
    exact: type | None = None
    names: dict[Any, Any] | None = None
    leaf: bool = False


# Built-in scalars that serialise a value of exactly this Python type as the value itself
# (Int within 32 bits, Float when finite): such a value needs no coercion call at all.
_IDENTITY = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool, GraphQLInt: int,
             GraphQLFloat: float}  # fmt: skip
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _leaf(attribute: str, inner: Any, field_type: Any, nullable: bool, ready: bool) -> _Plain:
    """The plain reading of a leaf field, with its shortcut: identity for built-in scalars,
    a memo of names for enums (an enum member always serialises to the same name)."""
    names = {} if isinstance(inner, GraphQLEnumType) else None
    return _Plain(attribute, inner, field_type, nullable, ready, exact=_IDENTITY.get(inner),
                  names=names, leaf=True)  # fmt: skip


def _as_is(exact: type, value: Any) -> bool:
    """Whether a value of exactly type `exact` serialises to itself."""
    if exact is int:
        return bool(_INT_MIN <= value <= _INT_MAX)
    return exact is not float or isfinite(value)


_NODE_ID = relay.Node.__dict__["_id"].__func__  # strawberry's resolver of every node's `id`


def _node_id_of(parent_type: GraphQLObjectType, resolver: Any, field_type: Any) -> _Plain | None:
    """The plain reading of a relay node's `id`, when the node resolves ids as strawberry does
    by default (its id attribute, the GraphQL type's name)."""
    if getattr(resolver, "__func__", None) is not _NODE_ID:
        return None
    origin = getattr((parent_type.extensions or {}).get("strawberry-definition"), "origin", None)
    if not isinstance(origin, type) or not issubclass(origin, relay.Node):
        return None
    for method in ("resolve_id", "resolve_typename"):
        if getattr(origin, method).__func__ is not getattr(relay.Node, method).__func__:
            return None
    attribute = origin.resolve_id_attr()
    return _Plain(attribute, None, field_type, False, node=origin, type_name=parent_type.name)


# How a step reads its field's value: through graphql-core, an attribute, the `ready` dict,
# or a relay node's id attribute.
_FULL, _ATTRIBUTE, _READY, _NODE_ID_ATTRIBUTE = range(4)

# One field of a selection: its response name, its field details, the plain reading or None,
# and that reading's parts unpacked for the loop that runs once per field of an answer (how
# to read it, the attribute or `ready` key, the type whose values are their own answer, the
# enum names memo, whether it holds an object).
_Step = tuple[str, Any, "_Plain | None", int, str, type | None, "dict[Any, Any] | None", bool]


def _step(name: str, details: Any, plain: _Plain | None) -> _Step:
    if plain is None:
        return (name, details, None, _FULL, "", None, None, False)
    how = _READY if plain.from_ready else _NODE_ID_ATTRIBUTE if plain.node else _ATTRIBUTE
    same = plain.exact if plain.exact in (str, bool) else None
    is_object = isinstance(plain.type, GraphQLObjectType)
    return (name, details, plain, how, plain.attribute, same, plain.names, is_object)


def _reads_attribute(field_def: Any, definition: StrawberryField) -> bool:
    """Whether strawberry answers the field by reading its attribute, and nothing else:
    strawberry's own basic field (no resolver, no field extensions, so no permission
    classes), resolved by strawberry's default resolver, with `getattr` as the schema's
    `default_resolver`."""
    return (
        definition.is_basic_field
        and getattr(field_def.resolve, "_is_default", False)
        and definition.default_resolver is getattr
    )


def _checked_as_strawberry_does(object_type: Any) -> bool:
    """Whether an object type's type check is strawberry's own (or none): strawberry's
    checks ignore the resolve info, which the short path does not build."""
    definition = (object_type.extensions or {}).get("strawberry-definition")
    return definition is not None and definition.is_type_of is None


def _plain_of(parent_type: GraphQLObjectType, field_details_list: Any) -> _Plain | None:
    """The plain reading of a field, or None when it needs graphql-core's full path."""
    node = field_details_list[0].node
    if node.arguments:
        return None
    field_def = parent_type.fields.get(node.name.value)
    if field_def is None or field_def.args:
        return None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    # Only strawberry's own field class, with no field extensions: a subclass may change how
    # it answers, and an extension (a permission class among them) must see every call.
    if type(definition) is not StrawberryField or definition.extensions:
        return None
    nullable = not isinstance(field_def.type, GraphQLNonNull)
    inner = field_def.type if nullable else field_def.type.of_type
    if is_object_type(inner) and not _checked_as_strawberry_does(inner):
        return None
    if _reads_attribute(field_def, definition):
        if not (is_leaf_type(inner) or is_object_type(inner)):
            return None  # lists and abstract types
        if is_leaf_type(inner):
            return _leaf(definition.python_name, inner, field_def.type, nullable, False)
        return _Plain(definition.python_name, inner, field_def.type, nullable)
    resolver = getattr(definition.base_resolver, "wrapped_func", None)
    if not nullable:
        node_id = _node_id_of(parent_type, resolver, field_def.type)
        if node_id is not None:
            return node_id
    key = getattr(resolver, _READY_KEY, None)
    if key is None:
        return None
    if is_leaf_type(inner):
        return _leaf(key, inner, field_def.type, nullable, True)
    if is_object_type(inner):
        return _Plain(key, inner, field_def.type, nullable, from_ready=True)
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        if isinstance(item, GraphQLNonNull) and is_leaf_type(item.of_type):
            return _Plain(key, None, field_def.type, nullable, True, item.of_type)
    return None  # lists of objects, nullable items and abstract types


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, reading plain fields directly (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._short_path = manager is None or not manager.middlewares
        # Plans per grouped field set (the same object for every item of a list); the set is
        # kept beside its plan so that its id cannot be reused during this execution.
        self._plans: dict[int, tuple[Any, list[_Step] | None]] = {}
        # Completed plain objects by (object, selection): an organisation shared by a page of
        # members is completed once and its answer reused (module docstring).
        self._completed: dict[tuple[int, int], tuple[Any, Any, dict[str, Any]]] = {}
        # Per field's details (kept alive beside, as above): the object type completed under
        # it, its collected selection, whether anything in it is deferred, and its steps.
        self._selections: dict[int, tuple[Any, Any, Any, bool, list[_Step] | None]] = {}

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
        return self._run(parent_type, source_value, path, steps, position_context)

    def _run(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        steps: list[_Step],
        position_context: Any,
    ) -> Any:
        """The fields of one object by their steps: `execute_fields` without its lookups."""
        results: dict[str, Any] = {}
        awaitable: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for name, details, plain, how, attribute, same, names, is_object in steps:
                if how:
                    try:
                        if how == _ATTRIBUTE:
                            value = getattr(source_value, attribute, _MISSING)
                        elif how == _READY:
                            ready = getattr(source_value, "ready", None)
                            value = ready.get(attribute, _MISSING) if ready else _MISSING
                        elif type(source_value) is plain.node:  # type: ignore[union-attr]
                            value = getattr(source_value, attribute, _MISSING)
                        else:
                            value = _MISSING  # a subclass may resolve its ids otherwise
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
                    where = (path, name, parent_type.name)
                    if is_object and value is not None and value is not _MISSING:
                        result = self._object(plain, value, details, where, position_context)  # type: ignore[arg-type]
                    else:
                        result = self._read(plain, value, details, where, position_context)  # type: ignore[arg-type]
                    if result is _FULL_PATH:
                        result = self.execute_field(
                            parent_type, source_value, details, Path(path, name, parent_type.name),
                            position_context,
                        )  # fmt: skip
                else:
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        details,
                        Path(path, name, parent_type.name),
                        position_context,
                    )
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

    def _read(
        self,
        plain: _Plain,
        value: Any,
        details: Any,
        where: tuple[Path | None, str, str],
        position_context: Any,
    ) -> Any:
        """The completed value of a plain field (at `where`: parent path, response name,
        parent type), or `_FULL_PATH` when anything is unusual."""
        if value is None:
            return None if plain.nullable else _FULL_PATH
        if value is _MISSING or isinstance(value, Exception):
            return _FULL_PATH
        if plain.item is not None:
            return _leaves(plain.item, value)
        if plain.node is not None:
            return to_base64(plain.type_name, value)
        names = plain.names
        if names is not None:
            try:
                return names[value]
            except (KeyError, TypeError):  # not seen yet, or not hashable
                pass
        exact = plain.exact
        if exact is not None and type(value) is exact and _as_is(exact, value):
            return value
        if plain.leaf:
            try:
                coerced = plain.type.coerce_output_value(value)  # type: ignore[union-attr]
            except Exception:  # noqa: BLE001 - the full path reports it properly
                return _FULL_PATH
            if coerced is None or coerced is Undefined:
                return _FULL_PATH
            if names is not None and isinstance(value, Enum):
                names[value] = coerced
            return coerced
        return self._object(plain, value, details, where, position_context)

    def _object(
        self,
        plain: _Plain,
        value: Any,
        details: Any,
        where: tuple[Path | None, str, str],
        position_context: Any,
    ) -> Any:
        """The completed value of a plain field holding an object (not null), or
        `_FULL_PATH` when its type check fails."""
        key = (id(value), id(details))
        memo = self._completed.get(key)
        if memo is not None and memo[0] is value and memo[1] is details:
            return memo[2]
        object_type: GraphQLObjectType = plain.type  # type: ignore[assignment]
        # strawberry's own type checks ignore the resolve info; anything but a plain True
        # (False, or an awaitable) gets graphql-core's handling.
        if object_type.is_type_of is not None and object_type.is_type_of(value, None) is not True:
            return _FULL_PATH
        path = Path(*where)
        errors = self.collected_errors.errors
        before = len(errors)
        try:
            completed = self._subfields(object_type, details, path, value, position_context)
        except Exception as error:  # noqa: BLE001 - handled as graphql-core handles it
            self.handle_field_error(error, plain.field_type, details, path)
            return None
        if self.is_awaitable(completed):
            return self._settled(completed, plain.field_type, details, path)
        if len(errors) == before and position_context is None:
            # Errors name their path, and deferred parts their position: only an answer
            # with neither is the same wherever the object appears.
            self._completed[key] = (value, details, completed)
        return completed

    def _subfields(
        self,
        object_type: GraphQLObjectType,
        details: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """The completed selection of an object, as `collect_and_execute_subfields` gives
        it, straight into its steps when nothing in it is deferred."""
        selection = self._selections.get(id(details))
        if selection is None or selection[0] is not details or selection[1] is not object_type:
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, details)
            steps = None
            if self._short_path and not new_defer_usages:
                steps = self._plan(object_type, grouped_field_set)
            selection = (details, object_type, grouped_field_set, bool(new_defer_usages), steps)
            self._selections[id(details)] = selection
        _, _, grouped_field_set, deferred, steps = selection
        if deferred or position_context is not None:
            return self.collect_and_execute_subfields(
                object_type, details, path, value, position_context
            )
        if steps is None:
            return super().execute_fields(object_type, value, path, grouped_field_set, None)
        return self._run(object_type, value, path, steps, None)

    def complete_list_item_value(
        self,
        item: Any,
        complete_results: list[Any],
        item_type: Any,
        field_details_list: Any,
        info: Any,
        item_path: Path,
        position_context: Any,
    ) -> bool:
        """As graphql-core's, with an object item (a page's member, a chart's node) completed
        without the generic steps between the list and its fields: a page of 100 objects
        spent a fifth of its completion there."""
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if (
            not self._short_path
            or item is None
            or not isinstance(object_type, GraphQLObjectType)
            or not _checked_as_strawberry_does(object_type)
            or self.is_awaitable(item)
            or (
                object_type.is_type_of is not None
                and object_type.is_type_of(item, None) is not True
            )
        ):
            return super().complete_list_item_value(
                item, complete_results, item_type, field_details_list, info, item_path,
                position_context,
            )  # fmt: skip
        try:
            completed = self._subfields(
                object_type, field_details_list, item_path, item, position_context
            )
        except Exception as error:  # noqa: BLE001 - handled as graphql-core handles it
            self.handle_field_error(error, item_type, field_details_list, item_path)
            complete_results.append(None)
            return False
        if self.is_awaitable(completed):
            complete_results.append(
                self._settled(completed, item_type, field_details_list, item_path)
            )
            return True
        complete_results.append(completed)
        return False

    async def _settled(self, completed: Any, field_type: Any, details: Any, path: Path) -> Any:
        """An awaitable completion's value; its error handled as graphql-core handles it."""
        try:
            return await completed
        except Exception as error:  # noqa: BLE001 - handled as graphql-core handles it
            self.handle_field_error(error, field_type, details, path)
            return None


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


async def _gathered(results: dict[str, Any], awaitable: list[str]) -> dict[str, Any]:
    """`results` with its awaitable entries awaited (concurrently when there are several)."""
    if len(awaitable) == 1:
        results[awaitable[0]] = await results[awaitable[0]]
    else:
        done = await gather_with_cancel(*(results[name] for name in awaitable))
        results.update(zip(awaitable, done, strict=True))
    return results
