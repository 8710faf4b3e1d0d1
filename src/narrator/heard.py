"""What was meant against what was heard, word by word, for ``narrate check``.

Both sides are normalized the same way (narrator's own spoken forms, lower
case, accents, apostrophes and punctuation out, digits written out, words
that sound like numbers taken as the numbers); the words heard are aligned
with the meant ones (Levenshtein alignment on word lists, rapidfuzz) and
scored sentence by sentence. Pure functions, no I/O.

For the first pass of a check (``asr.Transcriber.word_scores``), the meant
sentence is written the way Whisper writes (``forced_text``: no quotation
marks, brackets or symbols it never writes, dashes as commas), and
``doubted`` picks the words the recognizer was unsure it heard.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple

from .asr import HINT
from .errors import DependencyError


# --- normalization -------------------------------------------------------------------------------

_FILLERS = frozenset({"uh", "um", "hmm", "mm", "ah", "er"})
# Words that sound like a number are the number on both sides: no recognizer can tell "to" from
# "two" by ear, and a number rule that took "won" for a misheard "one" would flag right speech.
_HOMOPHONES = {"won": "one", "to": "two", "too": "two", "for": "four", "fore": "four", "ate": "eight"}
NUMBERS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million "
    "billion trillion point half quarter third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth "
    "fiftieth sixtieth seventieth eightieth ninetieth hundredth thousandth millionth billionth".split())


def _display(text: str) -> list[str]:
    """The text in narrator's spoken form, as whitespace-separated tokens."""
    from .text import normalize

    return normalize(re.sub(r"\[\[.*?\]\]", " ", text), language="en").split()


def _parts(token: str) -> list[tuple[str, bool]]:
    """The comparable words of one token (lower case, no accents, apostrophes or
    punctuation, digits written out, homophones of numbers as the numbers), each
    with whether it is a number as written."""
    folded = unicodedata.normalize("NFKD", token.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("'", "").replace("’", "")
    out: list[tuple[str, bool]] = []
    for part in re.findall(r"[^\W_]+", folded):
        if part.isdigit():
            from num2words import num2words

            out += [(word, True) for word in re.findall(r"[a-z]+", num2words(int(part)))]
        elif part not in _FILLERS:
            out.append((_HOMOPHONES.get(part, part), part in NUMBERS))
    return out


def word_parts(token: str) -> list[str]:
    """The normalized words of one token as written."""
    return [word for word, _ in _parts(token)]


class Words(NamedTuple):
    """A text's comparable words, the token each came from, the tokens (spoken
    form, as shown), whether each word is a number as written, and whether it
    is part of a name (a capitalized token after the first)."""

    words: list[str]
    origin: list[int]
    tokens: list[str]
    numbers: list[bool]
    names: list[bool]


def words(text: str) -> Words:
    """The comparable words of a text (see ``Words``)."""
    tokens = _display(text)
    found: list[str] = []
    origin: list[int] = []
    numbers: list[bool] = []
    names: list[bool] = []
    for index, token in enumerate(tokens):
        name = index > 0 and token.lstrip("\"'“‘([«-").istitle()
        for word, number in _parts(token):
            found.append(word)
            origin.append(index)
            numbers.append(number)
            names.append(name and not number)
    return Words(found, origin, tokens, numbers, names)


# --- the first pass: which meant words the recognizer doubts ------------------------------------

def forced_text(spoken: str) -> str:
    """A sentence's spoken form written as Whisper would write it, for scoring
    its words against the audio: phoneme marks, quotation marks, brackets and
    symbols out (an apostrophe inside a word stays), dashes as commas."""
    text = re.sub(r"\[\[.*?\]\]", " ", spoken)
    text = re.sub(r"[“”\"«»„\[\](){}…+*#_|~<>]", " ", text)
    text = re.sub(r"(?<!\w)['‘’]|['‘’](?!\w)", " ", text).replace("’", "'")
    text = re.sub(r"\s*[—–]\s*", ", ", text)
    text = re.sub(r"\s+([,.;:?!])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip(" ,")


def doubted(scores: Sequence[tuple[str, Sequence[float]]], word_doubt: float, name_doubt: float,
            number_doubt: float) -> list[str]:
    """The words of ``scores`` (word, its tokens' probabilities) that the
    recognizer doubts: a word whose tokens' geometric mean is below
    ``word_doubt``, or ``name_doubt`` for a capitalized word inside the
    sentence (a name it may never have heard); a number word whose least
    probable token is below ``number_doubt`` (it writes numbers in digits, so
    a number said right is less probable as words, and a number said as
    another differs in its first token: "eleventh" said as "eighteenth"
    scored 1e-4 for " ele", 0.56 for "venth", 0.0075 on average). Words with
    digits, all-capital words (acronyms: the recognizer spells them its own
    way) and punctuation are not judged."""
    out = []
    for index, (token, probabilities) in enumerate(scores):
        word = re.sub(r"^\W+|\W+$", "", token.strip())
        if not word or not probabilities or any(c.isdigit() for c in word) or (len(word) > 1 and word.isupper()):
            continue
        if word.lower() in NUMBERS:
            doubt = min(probabilities) < number_doubt
        else:
            mean = math.exp(sum(math.log(max(p, 1e-12)) for p in probabilities) / len(probabilities))
            doubt = mean < (name_doubt if index > 0 and word[0].isupper() else word_doubt)
        if doubt:
            out.append(word)
    return out


# --- alignment and scoring -----------------------------------------------------------------------

def _levenshtein() -> Any:
    """rapidfuzz's Levenshtein on sequences (of words or letters)."""
    try:
        from rapidfuzz.distance import Levenshtein
    except ImportError as exc:
        raise DependencyError(f"narrate check needs rapidfuzz; {HINT}") from exc
    return Levenshtein


def _metaphone(text: str) -> str:
    """The Metaphone key of a stretch of letters (jellyfish)."""
    try:
        import jellyfish
    except ImportError as exc:
        raise DependencyError(f"narrate check needs jellyfish; {HINT}") from exc
    return jellyfish.metaphone(text) if text else ""


def _opcodes(meant: list[str], heard: list[str]) -> list[tuple[str, int, int, int, int]]:
    return [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
            for op in _levenshtein().opcodes(meant, heard)]


def sounds_alike(meant: str, heard: str) -> bool:
    """True when two stretches of letters have the same Metaphone key
    (jellyfish): "berth" and "birth", "Claure" and "Clore" sound alike to a
    listener, whatever the recognizer chose to write."""
    return bool(meant) and _metaphone(meant) == _metaphone(heard)


def sounds_near(meant: str, heard: str) -> bool:
    """True when two stretches of letters sound nearly the same: their
    Metaphone keys differ by at most one edit in three ("Rukban" and
    "Rockman", RKBN and RKMN). How a recognizer writes a name it never heard."""
    said, got = _metaphone(meant), _metaphone(heard)
    return bool(said and got) and 3 * _levenshtein().distance(said, got) <= max(len(said), len(got))


def score(meant: list[str], heard: list[str], numbers: Sequence[bool] | None = None,
          names: Sequence[bool] | None = None) -> tuple[int, list[int], bool]:
    """Word edits between meant and heard words, the indexes of the meant words
    heard wrong, and whether a meant number (``numbers``: which meant words are
    numbers; default: the number words) was among them. A stretch of
    differences that joins to the same letters ("p m" and "pm") or sounds the
    same ("berth" heard as "birth") counts as right, unless it holds a number;
    so does a stretch of a name (``names``: which meant words are parts of
    names) heard as words that sound near it (``sounds_near``). Number words
    heard after a meant number where none was meant make it another number
    ("forty" heard as "forty three"; not before one: "a hundred" heard as
    "one hundred" is the same number)."""
    if numbers is None:
        numbers = [word in NUMBERS for word in meant]
    if names is None:
        names = [False] * len(meant)
    regions: list[list[int]] = []
    for tag, a0, a1, b0, b1 in _opcodes(meant, heard):
        if tag == "equal":
            regions.append([])
        elif regions and regions[-1]:
            regions[-1][1], regions[-1][3] = a1, b1
            regions[-1][4] += max(a1 - a0, b1 - b0)
        else:
            regions.append([a0, a1, b0, b1, max(a1 - a0, b1 - b0)])
    edits, missed, number = 0, [], False
    for region in regions:
        if not region:
            continue
        a0, a1, b0, b1, cost = region
        if a0 > 0 and numbers[a0 - 1] and not any(numbers[a0:a1]) and any(w in NUMBERS for w in heard[b0:b1]):
            a0 -= 1      # number words heard after a meant number: another number ("forty" as "forty three")
        said, got = "".join(meant[a0:a1]), "".join(heard[b0:b1])
        if said == got or (not any(numbers[a0:a1]) and (sounds_alike(said, got) or (
                all(names[a0:a1]) and sounds_near(said, got)))):
            continue
        edits += cost
        missed += range(a0, a1)
        number = number or any(numbers[a0:a1])
    return edits, missed, number


THRESHOLD = 0.25      # sentence WER above which it is flagged (see README, "Checking narrations")
DOUBTED_EDITS = 2     # word edits that flag a sentence in which the first pass doubted a word


class Verdict(NamedTuple):
    """One sentence judged: its word edits, the meant words heard wrong
    (indexes), whether a number was among them, and whether it is flagged."""

    edits: int
    missed: list[int]
    number: bool
    flagged: bool


def judge(meant: Words, heard: list[str], doubted: Sequence[str], threshold: float) -> Verdict:
    """A sentence whose ``meant`` words were heard as ``heard``, with the words
    the first pass ``doubted``: flagged when its word error rate (edits / meant
    words) is over ``threshold``, when a number in it was heard differently,
    when a doubted word was heard as something else, or when a doubted
    sentence was heard with ``DOUBTED_EDITS`` word edits or more."""
    edits, missed, number = score(meant.words, heard, meant.numbers, meant.names)
    wrong = {meant.words[i] for i in missed}
    confirmed = any(part in wrong for word in doubted for part in word_parts(word)) or (
        bool(doubted) and edits >= DOUBTED_EDITS)
    wer = edits / max(1, len(meant.words))
    return Verdict(edits, missed, number, bool(meant.words) and (wer > threshold or number or confirmed))


def heard_prefix(meant: list[str], heard: list[str]) -> int:
    """How many of the heard words were heard in the meant words' place: the
    longest start of ``heard`` nearest to ``meant`` (fewest word edits). What
    comes after it is the recognizer saying again what it had heard, as
    Whisper does when a sentence is decoded at its own length ("... a cash
    crunch. Last month as it faced a cash crunch.")."""
    distance = _levenshtein().distance
    return min(range(len(heard), -1, -1), key=lambda end: distance(meant, heard[:end]))


def attribute(meant: list[list[str]], heard: list[str]) -> list[list[int]]:
    """The heard words (indexes) that fall in each sentence's place, by aligning
    the heard words with all meant words in order. Words heard between two
    sentences go to the one that already differs there, else to the earlier."""
    owner = [s for s, sentence in enumerate(meant) for _ in sentence]
    places: list[list[int]] = [[] for _ in meant]
    if not owner:
        return places
    flat = [w for sentence in meant for w in sentence]
    ops = _opcodes(flat, heard)
    for k, (tag, a0, a1, b0, b1) in enumerate(ops):
        if tag in ("equal", "replace"):
            for i, j in zip(range(a0, a1), range(b0, b1)):
                places[owner[i]].append(j)
        elif tag == "insert":
            before = owner[a0 - 1] if a0 > 0 else owner[0]
            after = owner[a0] if a0 < len(owner) else owner[-1]
            target = before
            if before != after:
                after_differs = k + 1 < len(ops) and ops[k + 1][0] != "equal"
                before_differs = k > 0 and ops[k - 1][0] != "equal"
                target = after if after_differs and not before_differs else before
            places[target].extend(range(b0, b1))
    return places
