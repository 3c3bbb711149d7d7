"""`@record`: immutable records declared like `typing.NamedTuple` classes (fields annotated in
the class body, defaults, methods and properties), built on `collections.namedtuple`.

Why not `typing.NamedTuple`: importing `typing` costs ~6 ms, and nothing else on the path of a
plain `scrapeclean < page` needs it; a shell loop calling scrapeclean once per page pays every
millisecond of start-up per page. (Not dataclasses either: they import `inspect`, ~15 ms.)
The records are tuples, so they are immutable, hashable, picklable and cheap to create.
"""
from __future__ import annotations

from collections import namedtuple

_NOT_BODY = ("__dict__", "__weakref__", "__annotations__", "__module__", "__qualname__")


def record(cls: type) -> type:
    """The class as a named tuple: its annotated names are the fields, in order; a value given
    in the body is that field's default (fields with defaults must come last, as in a call)."""
    names = list(cls.__dict__.get("__annotations__", {}))
    defaults = [cls.__dict__[n] for n in names if n in cls.__dict__]
    if any(n in cls.__dict__ for n in names[: len(names) - len(defaults)]):
        raise TypeError(f"{cls.__name__}: fields with defaults must come after those without")
    base = namedtuple(cls.__name__, names, defaults=defaults, module=cls.__module__)
    body = {k: v for k, v in cls.__dict__.items() if k not in names and k not in _NOT_BODY}
    body["__slots__"] = ()
    made = type(cls.__name__, (base,), body)
    made.__module__, made.__qualname__ = cls.__module__, cls.__qualname__
    return made
