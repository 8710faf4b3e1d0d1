"""`--check` where narrations are made: `narrate render --check` hears its file
back, `narrate batch --check` has the workers hear every article and records
what they heard. The real Whisper model and the fast espeak-en voice; a word is
read wrongly on purpose by a lexicon alias of made-up words (the check compares
the audio with the spoken form, and made-up words are not heard as spelled)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from narrator.batch import BatchOptions, run_batch
from narrator.cli import main
from narrator.render import SpeechOptions

from conftest import misreading_voice

NARRATE = Path(sys.executable).with_name("narrate")
CLEAN = "The city will open a new garden in June. Families can walk there every day."
MISREAD = "The city will open a new park in June. Families can walk there every day."


def _render(tmp_path: Path, text: str, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    article = tmp_path / f"{name}.txt"
    article.write_text(f"New Garden for the City\n\n{text}\n", encoding="utf-8")
    return subprocess.run([str(NARRATE), "render", str(article), "-o", str(tmp_path / f"{name}.mp3"), "-q",
                           "--voice", str(misreading_voice(tmp_path / "voice")), "--check", *extra],
                          capture_output=True, text=True, timeout=600)


def test_render_check_passes_a_clean_file_and_flags_a_misread_one(tmp_path: Path) -> None:
    clean = _render(tmp_path, CLEAN, "clean")
    assert clean.returncode == 0, clean.stderr
    assert "0 flagged" in clean.stdout and (tmp_path / "clean.json").is_file()     # --check writes the timings
    misread = _render(tmp_path, MISREAD, "misread")
    assert misread.returncode == 1, misread.stdout + misread.stderr
    assert "1 flagged" in misread.stdout and "meant: The city will open a new zorblak vintrosh quelmip" \
        in misread.stdout
    assert (tmp_path / "misread.mp3").is_file()                                    # the file is kept


def test_render_check_needs_a_file() -> None:
    result = CliRunner().invoke(main, ["render", "-", "-o", "-", "--check"], input="Some text here.")
    assert result.exit_code == 2 and "--check hears a file back" in result.output


def test_batch_check_records_what_the_workers_heard(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "clean.txt").write_text(f"New Garden for the City\n\n{CLEAN}\n", encoding="utf-8")
    (folder / "misread.txt").write_text(f"New Park for the City\n\n{MISREAD}\n", encoding="utf-8")
    events: list[dict] = []
    voice = str(misreading_voice(tmp_path / "voice"))
    options = BatchOptions(speech=SpeechOptions(voice=voice), workers=1, check=True)
    summary = run_batch([str(folder)], tmp_path / "out", options, events.append)
    assert summary.ok and summary.rendered == 2
    checks = {e["id"]: e["check"] for e in events if e["event"] == "article"}
    assert checks["clean.txt"]["flagged"] == [] and checks["clean.txt"]["wer"] <= 0.1
    assert any("zorblak" in f["meant"] for f in checks["misread.txt"]["flagged"])
    done = events[-1]
    assert done["event"] == "done" and done["checked"] == 2 and done["flagged"] == 1
    assert done["worst"][0]["id"] == "misread.txt" and done["worst"][0]["flagged"] >= 1
    lines = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    assert {r["id"]: bool(r["check"]["flagged"]) for r in lines} == {"clean.txt": False, "misread.txt": True}


def test_batch_check_hears_an_archive_made_without_it_and_renders_nothing_again(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "clean.txt").write_text(f"New Garden for the City\n\n{CLEAN}\n", encoding="utf-8")
    (folder / "misread.txt").write_text(f"New Park for the City\n\n{MISREAD}\n", encoding="utf-8")
    speech = SpeechOptions(voice=str(misreading_voice(tmp_path / "voice")))
    first = run_batch([str(folder)], tmp_path / "out", BatchOptions(speech=speech, workers=1))
    assert first.rendered == 2
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("*.mp3")}
    events: list[dict] = []
    checked = run_batch([str(folder)], tmp_path / "out", BatchOptions(speech=speech, workers=1, check=True),
                        events.append)
    assert checked.rendered == 0 and checked.skipped == 2 and checked.checked == 2 and checked.flagged == 1
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("*.mp3")} == mtimes
    assert {e["id"]: bool(e["check"]["flagged"]) for e in events if e["event"] == "article"} == \
        {"clean.txt": False, "misread.txt": True}
    again: list[dict] = []
    run_batch([str(folder)], tmp_path / "out", BatchOptions(speech=speech, workers=1, check=True), again.append)
    assert again[-1]["checked"] == 0                       # heard once: the checks stand in the manifest
    assert all(e["check"] for e in again if e["event"] == "article")


def test_the_listener_hears_what_the_check_of_the_file_hears(tmp_path: Path) -> None:
    """render --check hears each piece as it is laid; it must find what the check of the finished file
    finds: a right narration passes, a misread one has the same sentence flagged at the same times."""
    from narrator.check import Listener, check_narration
    from narrator.render import AudioOptions, FileSink, Meta, PieceSink, prepare, speak
    from narrator.voices import engine_rate

    voice = str(misreading_voice(tmp_path / "voice"))
    for name, text in (("clean", CLEAN), ("misread", MISREAD)):
        article = tmp_path / f"{name}.txt"
        article.write_text(f"New Garden for the City\n\n{text}\n", encoding="utf-8")
        prepared = prepare(str(article), SpeechOptions(voice=voice), Meta())
        listener = Listener([s.spoken for s in prepared.script.sentences], engine_rate(prepared.profile), "en",
                            doubt=prepared.profile.check_doubt)
        out = tmp_path / f"{name}.mp3"
        narration = speak(prepared, [FileSink(out, captions=True), PieceSink(listener.hear)],
                          audio=AudioOptions(use_cache=False))
        heard, checked = listener.result(narration.timings), check_narration(out)
        assert heard.sentences == checked.sentences == len(prepared.script.sentences)
        # the same sentences at the same times; the words heard in made-up words may differ a little
        assert [(f.start, f.end, f.meant) for f in heard.flagged] == \
            [(f.start, f.end, f.meant) for f in checked.flagged]
        assert all("zorblak" in f.missed for f in heard.flagged + checked.flagged)
        assert bool(heard.flagged) == (name == "misread"), heard
