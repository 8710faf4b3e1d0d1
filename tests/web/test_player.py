"""The listener's player page: its HTML read back with html.parser, then the
real page in Debian's headless Chromium (through Playwright) playing a real
MP3 made with ffmpeg, served by a loopback server that answers Range requests."""

from __future__ import annotations

import contextlib
import http.server
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from narrator.web.player import (AI_NOTICE, SPEEDS, PlayerPage, player_page, static_dir,
                                 transcript_from_timings)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
HOSTILE = 'Budget <script>alert("x")</script> & "cuts" \'quoted\''
SENTENCES = ((0.0, 2.0, 0, "The council met on Monday."), (2.0, 4.0, 0, "It voted on the budget."),
             (4.0, 6.0, 1, "Libraries keep their hours."), (6.0, 8.0, 1, "Parks <lose> a warden & more."))


def _page(**changes: object) -> PlayerPage:
    base = PlayerPage(article_id="a1", title="Harbour ferry returns", audio_url="/v1/articles/a1/audio.mp3",
                      timings_url="/v1/articles/a1/timings.json", captions_url="/v1/articles/a1/captions.vtt",
                      page_url="https://listen.example.org/articles/a1", byline="A. Reporter", duration=8.0,
                      transcript=SENTENCES)
    return replace(base, **changes)  # type: ignore[arg-type]


# --- the HTML, parsed -------------------------------------------------------

@dataclass
class Node:
    """An element of the parsed page."""

    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def find_all(self, tag: str = "", cls: str = "", **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if ((not tag or child.tag == tag) and (not cls or cls in child.classes())
                        and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())):
                    found.append(child)
                found += child.find_all(tag, cls, **attrs)
        return found

    def find(self, tag: str = "", cls: str = "", **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}> in the page"
        return found[0]


class _Tree(HTMLParser):
    """Builds a tree of :class:`Node` (void elements closed at once)."""

    VOID = {"meta", "link", "input", "br", "img", "source", "track", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    tree = _Tree()
    tree.feed(page)
    tree.close()
    assert tree.stack == [tree.root], "unclosed elements"
    return tree.root


def test_hostile_title_is_escaped_everywhere() -> None:
    html = player_page(_page(title=HOSTILE, byline='<img src=x onerror="alert(1)">'))
    doc = parse(html)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert [s.attrs["src"] for s in doc.find_all("script")] == ["/static/player.js"]
    assert doc.find("title").text().startswith(HOSTILE)
    assert doc.find("h1").text() == HOSTILE
    assert doc.find(cls="byline").text() == 'By <img src=x onerror="alert(1)">'
    snippet = doc.find("textarea", id="embed-code").text()
    assert parse(snippet).find("iframe").attrs["title"] == f"Listen: {HOSTILE}"


def test_player_download_notice_and_assets() -> None:
    doc = parse(player_page(_page(), static_url="/assets/"))
    audio = doc.find("audio")
    assert audio.attrs["src"] == "/v1/articles/a1/audio.mp3" and audio.attrs["preload"] == "metadata"
    assert "controls" in audio.attrs  # the native fallback until the script runs
    download = doc.find("a", cls="download")
    assert download.attrs["href"] == "/v1/articles/a1/audio.mp3"
    assert download.attrs["download"] == "harbour-ferry-returns.mp3"
    assert doc.find("a", cls="captions").attrs["href"] == "/v1/articles/a1/captions.vtt"
    notice = doc.find(cls="notice")
    assert AI_NOTICE in notice.text() and "hidden" not in notice.attrs
    assert "hidden" in doc.find(cls="controls").attrs
    assert [o.attrs["value"] for o in doc.find("select", id="speed").find_all("option")] == \
        [f"{s:g}" for s in SPEEDS]
    assert doc.find("link", rel="stylesheet").attrs["href"] == "/assets/player.css"
    assert doc.find("script").attrs["src"] == "/assets/player.js"
    for button in doc.find(cls="controls").find_all("button"):
        assert button.attrs.get("aria-label") and button.attrs["type"] == "button"
    assert doc.find(cls="play-status").attrs["aria-live"] == "polite"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", player_page(_page()).split("<textarea")[0])


def test_transcript_spans_carry_their_times() -> None:
    doc = parse(player_page(_page()))
    transcript = doc.find(cls="transcript")
    paragraphs = transcript.find_all("p")
    assert [len(p.find_all("span", cls="sentence")) for p in paragraphs] == [2, 2]
    spans = transcript.find_all("span", cls="sentence")
    assert [(float(s.attrs["data-start"] or ""), float(s.attrs["data-end"] or ""), s.text()) for s in spans] == \
        [(a, b, text) for a, b, _, text in SENTENCES]
    live = [n for n in doc.find_all() if "aria-live" in n.attrs or n.attrs.get("role") == "status"]
    assert live and not any(n.find_all(cls="sentence") for n in live)  # the highlight never speaks


def test_transcript_from_timings_json() -> None:
    timings = {"title": "t", "voice": "joe", "duration": 8.0, "paragraphs": [],
               "sentences": [{"start": a, "end": b, "paragraph": p, "text": t, "spoken": t.lower()}
                             for a, b, p, t in SENTENCES]}
    assert transcript_from_timings(timings) == SENTENCES


def test_embed_variant_is_compact() -> None:
    full, embed = parse(player_page(_page())), parse(player_page(_page(), embed=True))
    assert full.find_all("header") and full.find_all("footer") and full.find_all("textarea")
    assert not embed.find_all("header") and not embed.find_all("footer") and not embed.find_all("textarea")
    assert embed.find("body").attrs["class"] == "embed"
    assert AI_NOTICE in embed.find(cls="notice").text()
    assert embed.find("a", cls="download") and embed.find_all("span", cls="sentence")
    title_link = embed.find("h1").find("a")
    assert title_link.attrs["href"] == "https://listen.example.org/articles/a1"
    assert title_link.attrs["target"] == "_blank"
    iframe = parse(full.find("textarea").text()).find("iframe")
    assert iframe.attrs["src"] == "https://listen.example.org/articles/a1?embed=1"
    assert "readonly" in full.find("textarea").attrs


@pytest.mark.parametrize("status, words, stream", [("queued", "waiting", True),
                                                   ("rendering", "being narrated", True),
                                                   ("failed", "failed", False)])
def test_not_ready_says_so(status: str, words: str, stream: bool) -> None:
    doc = parse(player_page(_page(status=status)))
    box = doc.find(cls="not-ready")
    assert words in box.text() and box.attrs["role"] == "status"
    assert not doc.find_all("audio") and not doc.find_all("a", cls="download")
    assert bool(box.find_all("a", cls="stream")) is stream
    assert box.find("a", cls="refresh").attrs["href"] == "https://listen.example.org/articles/a1"
    embedded = parse(player_page(_page(status=status), embed=True))
    assert embedded.find("a", cls="refresh").attrs["href"] == "https://listen.example.org/articles/a1?embed=1"
    assert AI_NOTICE in doc.find(cls="notice").text()


def test_unsafe_urls_and_statuses_are_refused() -> None:
    doc = parse(player_page(_page(audio_url="javascript:alert(1)", page_url="javascript:alert(2)")))
    assert "javascript:" not in str(player_page(_page(captions_url="javascript:x")))
    assert not doc.find_all("audio") and not doc.find_all("textarea")
    with pytest.raises(ValueError, match="queued, rendering, ready, failed"):
        _page(status="done")


def test_static_files_exist() -> None:
    assert (static_dir() / "player.js").is_file() and (static_dir() / "player.css").is_file()
    script = (static_dir() / "player.js").read_text(encoding="utf-8")
    assert "requestAnimationFrame" in script and "timeupdate" in script and "fetch(" not in script


# --- the page in Chromium -----------------------------------------------------

def _ranged(body: bytes, kind: str) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    """A route answering GET with ``body``, or the part a ``Range: bytes=`` header asks for
    (206, or 416 past the end), as Chromium asks when it loads and seeks media."""
    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        start, end, size = 0, len(body) - 1, len(body)
        wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", handler.headers.get("Range", ""))
        if wanted and wanted[1]:
            start, end = int(wanted[1]), min(int(wanted[2] or end), end)
        elif wanted and wanted[2]:
            start = max(0, size - int(wanted[2]))
        ok = start <= end
        handler.send_response((206 if ok else 416) if wanted else 200)
        handler.send_header("Accept-Ranges", "bytes")
        handler.send_header("Content-Type", kind)
        if wanted:
            handler.send_header("Content-Range", f"bytes {start}-{end}/{size}" if ok else f"bytes */{size}")
        chunk = body[start:end + 1] if ok else b""
        handler.send_header("Content-Length", str(len(chunk)))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(chunk)
    return route


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An 8 s MP3 (a 440 Hz tone) made by ffmpeg."""
    path = tmp_path_factory.mktemp("player") / "audio.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=8",
                    "-ac", "1", "-ar", "22050", "-b:a", "64k", str(path)], check=True)
    return path.read_bytes()


@pytest.fixture
def site(server: Any, mp3: bytes) -> str:
    """The player page of the MP3 on the loopback server of tests/conftest.py; its URL."""
    server.routes["/v1/articles/a1/audio.mp3"] = _ranged(mp3, "audio/mpeg")
    server.serve("/v1/articles/a1/captions.vtt", b"WEBVTT\n", content_type="text/vtt")
    for asset in static_dir().iterdir():
        kind = {".js": "text/javascript", ".css": "text/css"}.get(asset.suffix, "application/octet-stream")
        server.serve(f"/static/{asset.name}", asset.read_bytes(), content_type=f"{kind}; charset=utf-8")
    url = server.url("/articles/a1")
    page = _page(title=HOSTILE, page_url=url)
    for path, embed in (("/articles/a1", False), ("/articles/a1?embed=1", True)):
        server.serve(path, player_page(page, embed=embed).encode(), content_type="text/html; charset=utf-8")
    return str(url)


def test_the_test_server_answers_ranges(site: str) -> None:
    audio = site.replace("/articles/a1", "/v1/articles/a1/audio.mp3")
    with urllib.request.urlopen(audio) as whole:
        body = whole.read()
    for header, status, part in (("bytes=0-9", 206, body[:10]), ("bytes=100-", 206, body[100:]),
                                 ("bytes=-5", 206, body[-5:])):
        with urllib.request.urlopen(urllib.request.Request(audio, headers={"Range": header})) as answer:
            assert (answer.status, answer.read()) == (status, part)
            assert answer.headers["Content-Range"].endswith(f"/{len(body)}")
    with pytest.raises(urllib.error.HTTPError, match="416"):
        urllib.request.urlopen(urllib.request.Request(audio, headers={"Range": f"bytes={len(body)}-"}))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright (no downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does, via `make system`)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Browser, site: str) -> Iterator[Page]:
    """A fresh page with the player loaded, muted, its metadata read."""
    context = browser.new_context(viewport={"width": 900, "height": 1100})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site)
    assert page.evaluate("document.createElement('audio').canPlayType('audio/mpeg')") in ("probably", "maybe"), \
        "this Chromium build cannot play MP3 (no proprietary codecs)"
    page.wait_for_function("document.querySelector('audio').readyState >= 1 && window.narratorPlayer")
    page.evaluate("document.querySelector('audio').muted = true")
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


CURRENT = "Array.from(document.querySelectorAll('.sentence')).findIndex(s => s.classList.contains('current'))"
HIGHLIGHTED = f"""i => {CURRENT} === i
    && document.querySelectorAll('.sentence')[i].getAttribute('aria-current') === 'true'
    && document.querySelectorAll('.sentence.current, [aria-current]').length === 1"""


def _time(tab: Page) -> float:
    return float(tab.evaluate("document.querySelector('audio').currentTime"))


def test_plays_highlights_and_seeks_by_sentence(tab: Page, tmp_path: Path) -> None:
    page = tab
    assert page.is_visible(".controls") and not page.is_visible("audio")
    page.click("button[data-action=toggle]")
    page.wait_for_function(HIGHLIGHTED, arg=0, timeout=5000)
    page.wait_for_function(HIGHLIGHTED, arg=1, timeout=8000)
    assert 1.9 <= _time(page) < 6.0  # the highlight leads by at most 50 ms
    assert page.get_attribute("button[data-action=toggle]", "aria-label") == "Pause"
    page.wait_for_function("document.querySelector('.play-status').textContent === 'Playing'")
    page.click(".sentence >> nth=3")
    assert _time(page) >= 6.0
    page.wait_for_function(HIGHLIGHTED, arg=3)
    assert page.evaluate("!document.querySelector('audio').paused")
    page.click("button[data-action=toggle]")
    page.wait_for_function("document.querySelector('.play-status').textContent === 'Paused'")
    assert page.evaluate(HIGHLIGHTED.replace("i =>", "(i => ") + ")(3)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(full_page=True)
    (ARTIFACTS / "player.png").write_bytes(shot)
    (tmp_path / "player.png").write_bytes(shot)
    assert shot.startswith(b"\x89PNG")


def test_speed_selector_sets_the_rate(tab: Page) -> None:
    tab.select_option("#speed", "1.5")
    assert tab.evaluate("document.querySelector('audio').playbackRate") == 1.5
    tab.wait_for_function("document.querySelector('.play-status').textContent === 'Speed 1.5 times'")
    tab.reload()
    tab.wait_for_function("window.narratorPlayer && document.querySelector('audio').readyState >= 1")
    assert tab.input_value("#speed") == "1.5"
    assert tab.evaluate("document.querySelector('audio').playbackRate") == 1.5
    tab.select_option("#speed", "1")


def test_skip_buttons_clamp_to_the_audio(tab: Page) -> None:
    duration = float(tab.evaluate("document.querySelector('audio').duration"))
    assert 7.9 < duration < 8.3
    tab.evaluate("document.querySelector('audio').currentTime = 2")
    tab.click("button[data-action=forward]")
    assert _time(tab) == pytest.approx(duration, abs=0.01)
    tab.wait_for_function(HIGHLIGHTED, arg=3)
    assert tab.text_content(".time-total") == "0:08"
    tab.click("button[data-action=back]")
    assert _time(tab) == 0.0
    tab.wait_for_function(HIGHLIGHTED, arg=0)
    tab.eval_on_selector("#seek", "s => { s.value = '5'; s.dispatchEvent(new Event('input', {bubbles: true})); }")
    assert _time(tab) == 5.0
    tab.wait_for_function(HIGHLIGHTED, arg=2)


def test_keyboard_sentence_and_shortcuts(tab: Page) -> None:
    page = tab
    page.focus(".sentence >> nth=2")
    page.keyboard.press("Enter")
    assert _time(page) >= 4.0
    page.wait_for_function(HIGHLIGHTED, arg=2)
    assert page.evaluate("!document.querySelector('audio').paused")
    assert page.evaluate("document.querySelectorAll('.sentence[tabindex=\"0\"]').length") == 1
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.textContent") == SENTENCES[1][3]
    page.keyboard.press("Space")
    page.wait_for_function(HIGHLIGHTED, arg=1)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("k")
    assert page.evaluate("document.querySelector('audio').paused")
    page.keyboard.press("Space")
    assert not page.evaluate("document.querySelector('audio').paused")
    page.keyboard.press("k")
    before, duration = _time(page), page.evaluate("document.querySelector('audio').duration")
    page.keyboard.press("ArrowRight")
    assert _time(page) == pytest.approx(min(before + 15, duration))
    page.keyboard.press("j")
    assert _time(page) == 0.0
    page.focus("button[data-action=forward]")
    page.keyboard.press("Enter")
    assert _time(page) > 7.9
    assert page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_without_javascript_the_native_player_remains(browser: Browser, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site)
    assert page.is_visible("audio[controls]") and not page.is_visible(".controls")
    assert page.is_visible("a.download") and page.get_attribute("a.download", "download")
    assert page.is_visible(".notice") and AI_NOTICE in (page.text_content(".notice") or "")
    assert page.locator(".sentence").count() == 4 and page.is_visible(".sentence >> nth=3")
    assert page.title().startswith(HOSTILE)
    context.close()


def test_embed_variant_in_the_browser(browser: Browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 640, "height": 420})
    page = context.new_page()
    page.goto(f"{site}?embed=1")
    page.wait_for_function("window.narratorPlayer")
    assert page.is_visible(".controls") and page.is_visible(".notice") and page.is_visible("a.download")
    assert page.locator("textarea, header, footer").count() == 0
    box = page.evaluate("(b => [b.scrollHeight, b.clientHeight])(document.querySelector('.transcript'))")
    assert box[1] <= 180  # a scrolling box, not the whole transcript
    page.click(".sentence >> nth=2")
    page.wait_for_function(HIGHLIGHTED, arg=2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "player-embed.png"))
    context.close()
