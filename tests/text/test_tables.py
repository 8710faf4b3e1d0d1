"""Tables copied one cell per line come back as one block per row (team-written examples)."""

from __future__ import annotations

from narrator.text import extract_article
from narrator.text.tables import join_table_rows

HEADER = ["Rank", "Boat", "Trips", "Riders"]
CELLS = ["1", "Harbor Queen", "412", "18,200", "2", "North Star", "398", "17,950",
         "3", "Sea Lark", "371", "15,400", "4", "Gull", "220", "9,100"]


def test_cells_become_rows_with_their_header() -> None:
    blocks = ["The busiest boats of the year:", *HEADER, *CELLS, "The figures come from the port authority."]
    assert join_table_rows(blocks) == [
        "The busiest boats of the year:", "Rank Boat Trips Riders", "1 Harbor Queen 412 18,200",
        "2 North Star 398 17,950", "3 Sea Lark 371 15,400", "4 Gull 220 9,100",
        "The figures come from the port authority."]


def test_rows_start_at_the_row_label_not_inside_the_header() -> None:
    cells = ["Boat", "Trips", "Note", "Harbor Queen", "412", "Back in service in May.",
             "North Star", "398", "New engines.", "Sea Lark", "371", "Rebuilt after the storm."]
    assert join_table_rows(cells)[:2] == ["Boat Trips Note", "Harbor Queen 412 Back in service in May."]


def test_text_without_a_repeating_pattern_is_left_alone() -> None:
    blocks = ["Home", "News", "2", "Sports", "The ferry runs every half hour.", "12", "Weather"]
    assert join_table_rows(blocks) == blocks


def test_plain_text_copy_keeps_the_table_and_a_numbered_list() -> None:
    body = [
        "The harbor ferry will run every half hour from Monday, the port authority said on Thursday.",
        "Commuters had waited three years for the new timetable, which adds two boats at rush hour.",
        "The authority expects ridership to climb by a fifth before the summer season begins.",
    ]
    items = ["1) A later last sailing", "https://example.com/a1", "2) Bikes on board",
             "https://example.com/a2", "3) Quiet cabins", "https://example.com/a3", "4) Step-free boarding"]
    raw = "\n\n".join(["Port Gazette", "Ferry Timetable Changes", *body, *HEADER, *CELLS,
                       "What riders get:", *items, "Most Read", "Storm Warning Issued For The Coast"])
    paragraphs = list(extract_article(raw, content_type="text/plain").paragraphs)
    assert paragraphs == [*body, "Rank Boat Trips Riders", "1 Harbor Queen 412 18,200",
                          "2 North Star 398 17,950", "3 Sea Lark 371 15,400", "4 Gull 220 9,100",
                          "What riders get:", "1) A later last sailing", "2) Bikes on board",
                          "3) Quiet cabins", "4) Step-free boarding"]
