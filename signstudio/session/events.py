"""Events for Qt-free models (napari style): a model owns its state and emits; views subscribe.

    changed = Event("changed")
    changed.connect(lambda value: print("now", value))
    changed.emit(3)          # callbacks run in connection order, synchronously, on the caller's thread

An ``Event`` knows nothing about threads or Qt: a view that must repaint on the GUI thread
connects a callback that schedules the repaint there.

**Evented state.** An `EventedModel` declares its state as `Field` s; each field ``x`` comes with
an event ``x_changed`` (or the name given by ``event=``), made per instance. Assigning a value runs
the field's ``check`` (validate and/or normalise: ``check(model, value)`` returns the value to
store, or raises ValueError), stores it and emits it — unless it equals the stored value, then
nothing happens. `EventedModel.update` assigns several fields at once: all are checked before any
is stored, all are stored before any event fires, then each changed field emits, in the order given.

    class Lamp(EventedModel):
        colour = Field("white")
        brightness = Field(1.0, check=lambda _lamp, value: min(max(float(value), 0.0), 1.0))
        colour_changed: Event        # declared for the type checker; EventedModel makes them
        brightness_changed: Event

    lamp = Lamp(colour="red")                    # initial values: checked, not emitted
    lamp.brightness_changed.connect(print)
    lamp.brightness = 3                          # stored as 1.0 -- equal to before: no event
    lamp.brightness = 0.5                        # prints 0.5
    lamp.update(colour="blue", brightness=0.2)   # colour_changed("blue"), then brightness_changed(0.2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar, overload

Callback = Callable[..., Any]
T = TypeVar("T")


class Event:
    """A list of callbacks; ``emit(*args)`` calls them in connection order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callback] = []

    def connect(self, callback: Callback) -> Callback:
        """Subscribe ``callback`` (returned, so this works as a decorator)."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callback) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)

    def __len__(self) -> int:
        return len(self._callbacks)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self)} callbacks)"


def _equal(old: Any, new: Any) -> bool:
    return bool(old == new)


class Field(Generic[T]):
    """One evented value of an `EventedModel` (see the module docstring).

    ``check(model, value)``: the value to store (validated, normalised), or ValueError.
    ``equal(old, new)``: whether an assignment changes nothing (default ``==``; arrays and
    objects compared by identity need their own). ``event``: the event's name (default
    ``<field>_changed``). ``payload(value)``: what subscribers receive (default the value
    itself; e.g. ``list`` hands each emission a fresh list of a stored tuple).
    """

    def __init__(
        self,
        default: T,
        *,
        check: Callable[[Any, Any], T] | None = None,
        equal: Callable[[T, T], bool] = _equal,
        event: str | None = None,
        payload: Callable[[T], object] | None = None,
        doc: str | None = None,
    ) -> None:
        self.default = default
        self.check = check
        self.equal = equal
        self.event = event
        self.payload = payload
        self.name = ""
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.event = self.event or f"{name}_changed"

    @overload
    def __get__(self, model: None, owner: type) -> Field[T]: ...
    @overload
    def __get__(self, model: object, owner: type) -> T: ...
    def __get__(self, model: object | None, owner: type) -> T | Field[T]:
        if model is None:
            return self
        # the value lives in the instance's __dict__ under the field's own name (a data
        # descriptor wins the attribute lookup, so only this method reads it)
        return model.__dict__.get(self.name, self.default)

    def __set__(self, model: EventedModel, value: T) -> None:
        model.update({self.name: value})

    def checked(self, model: object, value: Any) -> T:
        return self.check(model, value) if self.check is not None else value


class EventedModel:
    """State declared as `Field` s, each with its change event (see the module docstring)."""

    fields: ClassVar[dict[str, Field[Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, Field[Any]] = {}
        for klass in reversed(cls.__mro__):
            found.update({k: v for k, v in vars(klass).items() if isinstance(v, Field)})
        cls.fields = found

    def __init__(self, **values: Any) -> None:
        for field in self.fields.values():
            assert field.event is not None  # set by __set_name__
            setattr(self, field.event, Event(field.event))
        self._check_names(values)
        for name, value in values.items():
            self.__dict__[name] = self.fields[name].checked(self, value)

    def update(self, values: dict[str, Any] | None = None, /, **more: Any) -> None:
        """Assign several fields: checked, then stored, then each changed one emits (in order)."""
        wanted = {**(values or {}), **more}
        self._check_names(wanted)
        checked = {name: self.fields[name].checked(self, value) for name, value in wanted.items()}
        changed = [
            name for name, value in checked.items() if not self.fields[name].equal(getattr(self, name), value)
        ]
        for name in changed:
            self.__dict__[name] = checked[name]
        if changed:
            self._fields_changed(set(changed))
        for name in changed:
            field = self.fields[name]
            value = checked[name]
            getattr(self, str(field.event)).emit(value if field.payload is None else field.payload(value))

    def _fields_changed(self, names: set[str]) -> None:
        """Called with the names of the fields just stored, before their events fire: the place
        to drop what a model caches from them."""

    def _check_names(self, values: dict[str, Any]) -> None:
        unknown = set(values) - set(self.fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
