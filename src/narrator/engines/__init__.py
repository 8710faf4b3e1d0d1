"""Speech engines behind one protocol (see ``base.Engine``)."""

from .base import Engine, to_int16

__all__ = ["Engine", "to_int16"]
