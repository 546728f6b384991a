"""Event and the evented-state helpers (Field, EventedModel) of Qt-free models."""

import numpy as np
import pytest

from signstudio.session.events import Event, EventedModel, Field


def test_event_calls_back_in_order_once_each():
    event = Event("changed")
    got: list[tuple] = []

    def first(*args):
        got.append(("first", *args))

    event.connect(first)
    event.connect(lambda *args: got.append(("second", *args)))
    assert event.connect(first) is first and len(event) == 2  # connected once
    event.emit(1, "a")
    assert got == [("first", 1, "a"), ("second", 1, "a")]
    event.disconnect(first)
    event.disconnect(first)  # not connected: nothing to do
    event.emit(2)
    assert got[-1] == ("second", 2) and len(event) == 1 and "1 callbacks" in repr(event)


class Lamp(EventedModel):
    colour = Field("white")
    brightness = Field(1.0, check=lambda _lamp, value: min(max(float(value), 0.0), 1.0))
    mode = Field("on", event="switched", check=lambda _lamp, m: m if m in ("on", "off") else _refuse(m))
    levels = Field[tuple[int, ...]]((), payload=list)
    colour_changed: Event
    brightness_changed: Event
    switched: Event
    levels_changed: Event


def _refuse(mode: str) -> str:
    raise ValueError(f"no mode {mode!r}")


def logged(lamp: Lamp) -> list[tuple]:
    log: list[tuple] = []
    for name in ("colour_changed", "brightness_changed", "switched", "levels_changed"):
        getattr(lamp, name).connect(lambda *a, name=name: log.append((name, *a)))
    return log


def test_a_field_emits_its_checked_value_only_when_it_changes():
    lamp = Lamp()
    log = logged(lamp)
    assert (lamp.colour, lamp.brightness, lamp.mode) == ("white", 1.0, "on")  # the defaults
    lamp.brightness = 3  # normalised to 1.0: no change
    lamp.colour = "white"
    assert log == []
    lamp.brightness = 0.5
    lamp.brightness = 0.5
    lamp.colour = "red"
    lamp.mode = "off"  # an event named otherwise
    assert log == [("brightness_changed", 0.5), ("colour_changed", "red"), ("switched", "off")]
    with pytest.raises(ValueError, match="no mode"):
        lamp.mode = "dim"
    assert lamp.mode == "off" and len(log) == 3


def test_each_instance_has_its_own_values_and_events():
    a, b = Lamp(), Lamp(colour="green")
    log_a = logged(a)
    b.colour = "blue"
    assert a.colour == "white" and b.colour == "blue" and log_a == []
    assert a.colour_changed is not b.colour_changed
    assert Lamp.fields.keys() == {"colour", "brightness", "mode", "levels"}
    assert isinstance(Lamp.colour, Field)  # on the class: the field itself


def test_initial_values_are_checked_not_emitted():
    lamp = Lamp(brightness=7, mode="off")
    assert lamp.brightness == 1.0 and lamp.mode == "off"
    with pytest.raises(ValueError):
        Lamp(mode="dim")
    with pytest.raises(TypeError, match="no field hue"):
        Lamp(hue=3)


def test_update_stores_all_then_emits_in_the_order_given():
    lamp = Lamp()
    seen: list[tuple] = []
    # a subscriber of the first event already sees every value of the update
    lamp.brightness_changed.connect(lambda _b: seen.append((lamp.colour, lamp.brightness)))
    log = logged(lamp)
    lamp.update(brightness=0.25, colour="blue", mode="on")  # mode unchanged: no event
    assert log == [("brightness_changed", 0.25), ("colour_changed", "blue")]
    assert seen == [("blue", 0.25)]
    lamp.update({"colour": "red"}, brightness=0.1)
    assert log[2:] == [("colour_changed", "red"), ("brightness_changed", 0.1)]
    with pytest.raises(ValueError):  # one bad value: nothing stored
        lamp.update(colour="green", mode="dim")
    assert lamp.colour == "red" and len(log) == 4
    with pytest.raises(TypeError, match="no field"):
        lamp.update(hue=1)


def test_payload_and_equality_hooks():
    lamp = Lamp()
    got: list = []
    lamp.levels_changed.connect(got.append)
    lamp.levels = (1, 2)
    lamp.levels = (1, 2)
    assert got == [[1, 2]] and isinstance(got[0], list)  # one emission, as a list

    class Track(EventedModel):
        path = Field[np.ndarray | None](
            None, equal=lambda a, b: a is b or (a is not None and b is not None and np.array_equal(a, b))
        )
        path_changed: Event

    track = Track()
    paths: list = []
    track.path_changed.connect(paths.append)
    track.path = np.arange(3)
    track.path = np.arange(3)  # equal arrays: no event (`==` alone would be ambiguous)
    track.path = None
    assert len(paths) == 2 and paths[-1] is None


def test_fields_changed_runs_before_the_events():
    class Cached(EventedModel):
        size = Field(1)
        size_changed: Event

        def __init__(self) -> None:
            self.cache: int | None = 99
            super().__init__()

        def _fields_changed(self, names: set[str]) -> None:
            self.cache = None

    model = Cached()
    model.size_changed.connect(lambda _s: seen.append(model.cache))
    seen: list = []
    model.size = 1
    assert model.cache == 99  # nothing changed
    model.size = 2
    assert seen == [None]
