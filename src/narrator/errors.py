"""One exception tree for narrator.

Every error carries a message that names the input and says how to fix it;
the CLI prints ``str(error)`` on one line and exits with ``exit_code``.
"""

from __future__ import annotations


class NarratorError(Exception):
    """Base of every error narrator raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(NarratorError):
    """The article given cannot be read or has nothing to narrate."""

    exit_code = 2


class FetchError(InputError):
    """A URL could not be fetched (scheme, timeout, HTTP status, size)."""


class EmptyArticleError(InputError):
    """Nothing speakable is left after extraction and cleaning."""


class VoiceError(NarratorError):
    """A voice profile is unknown, malformed or cannot run here."""

    exit_code = 3


class ModelChecksumError(VoiceError):
    """A voice model file does not match its published checksum."""


class EngineError(NarratorError):
    """A speech engine failed to synthesize a sentence."""

    exit_code = 4


class DependencyError(NarratorError):
    """A program or library narrator needs (espeak-ng) is missing."""

    exit_code = 5


class OutputError(NarratorError):
    """The output cannot be written where it was asked for."""

    exit_code = 6


class ClusterError(NarratorError):
    """The Dask scheduler cannot be reached or its workers cannot run narrator."""

    exit_code = 7


class CatalogError(NarratorError):
    """The service's catalog is missing, damaged or cannot be written."""

    exit_code = 6
