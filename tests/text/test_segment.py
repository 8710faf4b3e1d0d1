"""Sentence boundaries by class: each test writes many variants of one written
form and checks where the sentences end."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.text import split_sentences
from narrator.text.segment import WINDOW, _pysbd, line_fragments, windows

NAMES = st.sampled_from(["Smith", "Ortiz", "Lee", "Okafor", "Nguyen", "Brandt", "Haddad", "Kowalski"])
VERBS = st.sampled_from(["went to the bank", "opened the meeting", "left the pier", "called the council",
                         "signed the lease", "boarded the ferry"])
TITLES = st.sampled_from(["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Gov.", "Sen.", "Rep.", "Gen.", "Capt.",
                          "Sgt.", "Rev.", "Hon.", "Insp.", "Det.", "Supt.", "Lt.", "Col."])
MERIDIEM = st.sampled_from(["a.m.", "p.m.", "A.M.", "P.M."])
HOURS = st.integers(1, 12).map(str) | st.tuples(st.integers(1, 12), st.sampled_from(["00", "15", "30", "45"])).map(
    lambda t: f"{t[0]}:{t[1]}")
OPENERS = st.sampled_from(["At", "By", "Shortly after", "Just before", "Until", "Around", "Since", "From"])
WORD = st.sampled_from(["harbor", "ferry", "council", "fares", "pier", "dawn", "vote", "water", "rain", "tide"])
CAP = st.sampled_from(["The", "Riders", "Officials", "Gulls", "Crews", "Nobody", "Fares", "It"])


def canon(sentences: list[str]) -> list[str]:
    return [" ".join(s.split()) for s in sentences]


@settings(max_examples=60, deadline=None)
@given(OPENERS, HOURS, MERIDIEM, TITLES | st.just(""), NAMES, VERBS)
def test_clock_time_opening_a_sentence_is_not_its_end(opener: str, hour: str, mer: str, title: str,
                                                      name: str, verb: str) -> None:
    subject = f"{title} {name}".strip()
    text = f"{opener} {hour} {mer} {subject} {verb}. The day went on."
    assert canon(split_sentences(text)) == [f"{opener} {hour} {mer} {subject} {verb}.", "The day went on."]


@settings(max_examples=60, deadline=None)
@given(HOURS, MERIDIEM, TITLES, NAMES, VERBS, VERBS)
def test_clock_time_ending_a_clause_before_a_title_ends_the_sentence(hour: str, mer: str, title: str,
                                                                     name: str, verb: str, verb2: str) -> None:
    first = f"The crew {verb} at {hour} {mer}"
    second = f"{title} {name} then {verb2}."
    assert canon(split_sentences(f"{first} {second}")) == [first, second]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["The vote is at", "Boarding closes at", "The show starts at"]), HOURS, MERIDIEM,
       st.sampled_from(["Friday", "Sunday", "ET", "GMT", "local time", "Oct. 3"]))
def test_clock_time_before_a_day_or_zone_stays_in_the_sentence(lead: str, hour: str, mer: str, after: str) -> None:
    text = f"{lead} {hour} {mer} {after} in the hall. Doors open early."
    assert canon(split_sentences(text)) == [f"{lead} {hour} {mer} {after} in the hall.", "Doors open early."]


ITEM = st.lists(WORD, min_size=2, max_size=5).map(lambda ws: " ".join(ws).capitalize())
STYLES = {
    "{n}.)": lambda n: f"{n}.)", "{n})": lambda n: f"{n})", "{n}.": lambda n: f"{n}.",
    "• {n}.": lambda n: f"• {n}.", "⁃{n}.": lambda n: f"⁃{n}.", "a.": lambda n: f"{'abcdefgh'[n - 1]}.",
    "a)": lambda n: f"{'abcdefgh'[n - 1]})", "A.": lambda n: f"{'ABCDEFGH'[n - 1]}.",
    "i.": lambda n: ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"][n - 1] + ".", "•": lambda n: "•",
}


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(sorted(STYLES)), st.lists(ITEM, min_size=3, max_size=7), st.booleans(), st.integers(1, 3))
def test_list_items_are_sentences(style: str, items: list[str], stop: bool, first: int) -> None:
    first = first if style.startswith(("{n}", "• {n}", "⁃")) else 1
    end = "." if stop else ""
    expected = [f"{STYLES[style](first + i)} {item}{end}" for i, item in enumerate(items)]
    if style == "⁃{n}.":
        expected = [e.replace("⁃ ", "⁃") for e in expected]
    assert canon(split_sentences(" ".join(expected))) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(WORD, min_size=1, max_size=3).map(" ".join), min_size=2, max_size=6))
def test_short_unpunctuated_lines_are_fragments(lines: list[str]) -> None:
    assert canon(split_sentences("\n".join(lines) + "\n")) == lines


@settings(max_examples=40, deadline=None)
@given(st.lists(WORD, min_size=6, max_size=20), st.integers(1, 5))
def test_a_line_break_inside_a_sentence_is_a_space(words: list[str], at: int) -> None:
    text = " ".join(words[:at]).capitalize() + " \n" + " ".join(words[at:]) + "."
    assert canon(split_sentences(text)) == [" ".join(text.split())]


@settings(max_examples=60, deadline=None)
@given(TITLES, NAMES, VERBS, st.lists(st.sampled_from("ABCDEGHJKLMPRSTW"), min_size=1, max_size=3), NAMES)
def test_titles_and_initials_do_not_end_a_sentence(title: str, name: str, verb: str, initials: list[str],
                                                   other: str) -> None:
    first = f"Yesterday {title} {name} {verb} with {' '.join(i + '.' for i in initials)} {other}."
    assert canon(split_sentences(f"{first} {title} {other} agreed.")) == [first, f"{title} {other} agreed."]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(CAP, st.lists(WORD, min_size=2, max_size=6)), min_size=2, max_size=5))
def test_sentences_glued_without_a_space_are_split(parts: list[tuple[str, list[str]]]) -> None:
    sentences = [f"{cap} {' '.join(ws)}." for cap, ws in parts]
    assert canon(split_sentences("".join(sentences))) == sentences


def test_addresses_are_not_split_as_glued_sentences() -> None:
    text = "Write to Jane.Doe@example.com for details. See www.Harbor.com.Ferry for more."
    assert split_sentences(text)[0] == "Write to Jane.Doe@example.com for details."
    assert len(split_sentences(text)) == 2


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["vol.", "p.", "pp.", "fig.", "no.", "ch."]), st.integers(1, 400), CAP,
       st.lists(WORD, min_size=2, max_size=5))
def test_reference_abbreviation_before_a_number_is_not_an_end(abbr: str, number: int, cap: str,
                                                               words: list[str]) -> None:
    first = f"The {words[0]} report is in {abbr} {number} of the series."
    second = f"{cap} {' '.join(words)}."
    assert canon(split_sentences(f"{first} {second}")) == [first, second]


@settings(max_examples=40, deadline=None)
@given(st.lists(WORD, min_size=2, max_size=6), st.sampled_from(['"', "”", "’", ")"]), CAP, st.lists(WORD, min_size=2))
def test_quotation_and_parenthesis_ends(words: list[str], close: str, cap: str, rest: list[str]) -> None:
    opening = {'"': '"', "”": "“", "’": "‘", ")": "("}[close]
    first = f"She said, {opening}{' '.join(words).capitalize()}.{close}"
    second = f"{cap} {' '.join(rest)}."
    assert canon(split_sentences(f"{first} {second}")) == [first, second]
    inside = f"The {words[0]} rose ({' '.join(rest).capitalize()}.) at the pier."
    assert canon(split_sentences(inside)) == [inside]


def test_line_fragments_keep_prose_whole() -> None:
    assert line_fragments("The ferry left at dawn and\ncrossed the harbor.") == [
        "The ferry left at dawn and crossed the harbor."]
    assert line_fragments("Tide tables\nFerry times\nFares") == ["Tide tables", "Ferry times", "Fares"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(CAP, st.lists(WORD, min_size=3, max_size=25)), min_size=20, max_size=40))
def test_windows_find_the_same_sentences_as_one_pass(parts: list[tuple[str, list[str]]]) -> None:
    text = " ".join(f"{cap} {' '.join(ws)}." for cap, ws in parts)
    assert len(text) > 400
    assert list(windows(text, "en", window=200)) == _pysbd(text, "en")


def test_segmenter_input_is_bounded_on_a_2_mb_paragraph() -> None:
    """The segmenter never sees more than a window, so time is linear; every word is kept."""
    text = " ".join(["harbor", "ferry", "crossed", "slowly"] * 100_000)[:2_000_000]
    seen: list[int] = []

    def spy(chunk: str, language: str) -> list[str]:
        seen.append(len(chunk))
        return [chunk.strip()]

    pieces = list(windows(text, "en", segment=spy))
    assert max(seen) <= WINDOW and len(seen) >= len(text) // WINDOW
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_a_long_unpunctuated_paragraph_goes_through_the_stages() -> None:
    from narrator.text import build_script, extract_article, normalize
    from narrator.text.chunk import MAX_CHARS

    text = " ".join(["harbor", "ferry", "crossed", "slowly", "while", "gulls", "circled"] * 2000)
    script = build_script(extract_article(text, content_type="text/plain"), normalize=normalize)
    assert all(len(s.spoken) <= MAX_CHARS for s in script.sentences)
    assert sum(len(s.text.split()) for s in script.sentences) == len(text.split())
