"""The service's voice per article: ``--voice auto`` (the default) reads each
submitted article with the voice for its language, and the status says which."""

from __future__ import annotations

from pathlib import Path

from live_service import Service, make_service, narrate_cli, submit  # noqa: F401, F811 - fixtures

from conftest import DATA

GERMAN = (DATA / "hafen-de.txt").read_text(encoding="utf-8")
ENGLISH = (DATA / "ferry.txt").read_text(encoding="utf-8")


def test_auto_reads_each_article_in_its_language_and_says_which_voice(make_service, tmp_path: Path) -> None:
    voices_map = tmp_path / "voices.toml"
    voices_map.write_text('[voices]\nen = "espeak-en-gb"\n', encoding="utf-8")
    srv: Service = make_service("--voice", "auto", "--voices-map", str(voices_map)).start()
    assert submit(srv, {"id": "hafen", "text": GERMAN}).status_code == 202
    assert submit(srv, {"id": "ferry", "text": ENGLISH}).status_code == 202
    assert submit(srv, {"id": "asked", "text": ENGLISH, "voice": "espeak-en"}).status_code == 202
    hafen, ferry, asked = (srv.wait_status(i, timeout=120) for i in ("hafen", "ferry", "asked"))
    assert (hafen["status"], hafen["voice"], hafen["narrated_by"]) == ("ready", "auto", "espeak-de")
    assert (ferry["status"], ferry["voice"], ferry["narrated_by"]) == ("ready", "auto", "espeak-en-gb")
    assert (asked["status"], asked["voice"], asked["narrated_by"]) == ("ready", "espeak-en", "espeak-en")


def test_a_map_naming_an_unknown_voice_stops_the_start(tmp_path: Path) -> None:
    voices_map = tmp_path / "voices.toml"
    voices_map.write_text('[voices]\nfr = "nobody"\n', encoding="utf-8")
    result = narrate_cli("serve", "--voices-map", str(voices_map), "--data", str(tmp_path / "data"), "--port", "0",
                         home=tmp_path / "home")
    assert result.returncode != 0 and "fr = 'nobody': unknown voice" in result.stderr
