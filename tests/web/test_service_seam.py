"""The service goes through the same two pipeline steps as the CLI: a submitted
title is read and tagged, and the live stream and the file come from one
render. A real `narrate serve` on loopback with the deterministic tone engine,
which logs every sentence it makes (NARRATOR_TONE_LOG)."""

from __future__ import annotations

import html
from pathlib import Path

import httpx
import pytest
from mutagen.id3 import ID3

from conftest import DATA
from live_service import Service

TONE = str(DATA / "voices" / "tone.toml")
BODY = ("The council voted 7-2 on Tuesday to fund night buses on three routes.\n\n"
        "The first buses leave the depot in March. Tickets cost the same as in the day.")


def test_a_submitted_title_is_narrated_tagged_and_rendered_once(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "calls.log"
    monkeypatch.setenv("NARRATOR_TONE_LOG", str(calls))
    service = Service(tmp_path, "--voice", TONE)
    service.home.mkdir(parents=True, exist_ok=True)
    (service.home / "cache").write_text("not a folder")   # no sentence cache: a second pass would call the engine again
    service.start()
    try:
        submitted = httpx.post(service.url("/v1/articles"), headers=service.auth, timeout=10,
                               json={"id": "buses", "title": "Council Backs Night Buses", "text": BODY})
        assert submitted.status_code == 202, submitted.text
        done = service.wait_status("buses")
        assert done["status"] == "ready", done
        assert done["title"] == "Council Backs Night Buses" and done["narrated_by"] == "tone"

        audio = httpx.get(done["audio_url"], timeout=10)
        assert audio.status_code == 200
        (tmp_path / "buses.mp3").write_bytes(audio.content)
        assert ID3(tmp_path / "buses.mp3").getall("TIT2")[0].text[0] == "Council Backs Night Buses"

        vtt = httpx.get(done["captions_url"], timeout=10).text
        cues = [html.unescape(block.splitlines()[2]) for block in vtt.split("\n\n")[1:] if block.strip()]
        assert cues[0] == "Council Backs Night Buses"            # the audio says the title first
        assert len(cues) == 4

        made = [line.split("\t", 1)[1] for line in calls.read_text(encoding="utf-8").splitlines()]
        assert len(made) == len(cues)                            # each sentence made once: one render, two sinks
        assert made[0] == "Council Backs Night Buses"
    finally:
        service.stop()
