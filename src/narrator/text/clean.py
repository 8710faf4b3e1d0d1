"""Cleaning: drop what a reader skips and a listener must not hear.

Pure functions over an Article's blocks. Rules look at a block's shape,
position and repetition and at phrases every publisher uses (credits,
notices, prompts), never at particular sites.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..models import Article
from .region import is_body, is_headline_case, is_sentence, keep_region, words
from .sections import capital_headlines, comment_section, company_boilerplate, gallery_slides, teaser_sections

_AGENCIES = (
    r"Getty Images|Getty|AP Photo|AP|AFP|Reuters|REUTERS|EPA(?:-EFE)?|Shutterstock|Bloomberg|"
    r"Associated Press|Xinhua|Alamy|iStock(?:photo)?|Pool|Stringer|File Photo|Anadolu|Sipa|"
    r"NurPhoto|SOPA Images|Corbis|Imagn|USA TODAY Sports|PA Images|PA Wire|PTI|ANI|IANS|Handout"
)
_CREDIT_END = re.compile(rf"(?:/\s*|\b)(?:{_AGENCIES})(?:\s*(?:/|via)\s*[\w .'-]+)*\s*\)?\s*$")
_CREDIT_SLASH = re.compile(rf"\b(?:{_AGENCIES})\s*/\s*[A-Z]|[A-Z][a-z]+\s*/\s*(?:{_AGENCIES})\b")
_NAME_CREDIT_END = re.compile(
    r"[.!?]\s+[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+){1,3}\s?/\s?[A-Z][\w&.'’-]*(?:\s[A-Z][\w&.'’-]*){0,4}$")
_CREDIT_PREFIX = re.compile(
    r"^(?:photo|photograph|foto|фото|bild|imagen|image|picture|video|illustration|graphic|credit|image credit|"
    r"text|текст|author|autor|source|fuente|quelle|"
    r"photo credit|source|above|top|main image|pictured|caption|file)\s*[:,|]", re.I)
_CREDIT_PAREN = re.compile(r"\((?:photo|image|picture)?\s*(?:credit)?\s*:[^)]*\)\s*$|"
                           r"\([^()]{2,60}\s/\s[^()]{2,60}\)\s*$", re.I)
_POSITION = re.compile(r"\((?:\d(?:st|nd|rd|th)\s(?:L|R|C|left|right)|L-R|R-L|left|right|center|centre|top|bottom|"
                       r"(?:from )?left to right|from (?:left|right))\)", re.I)
_LETTER_POSITION = re.compile(r"\([LRC]\)")  # one of these is a party or a mark ("Noem (R)"); two are positions
_NOTICE = re.compile(
    r"voice is ai[- ]generated|ai[- ]generated (?:voice|audio|narration)|inconsistencies may occur|"
    r"listen to (?:this|the) (?:article|story)|(?:audio|narration) (?:is|was) (?:ai[- ])?generated|"
    r"this (?:article|story) (?:is|was) (?:narrated|read) by|powered by .*text[- ]to[- ]speech", re.I)
_PROMPT = re.compile(
    r"^(?:advertisement|advert|sponsored(?: content)?|story continues below.*|continue reading.*|"
    r"scroll to continue.*|share(?: this)?(?: article| story)?|share on \w+|tweet|print|e-?mail|"
    r"copy link|save|comments?|facebook|twitter|x|reddit|pocket|flipboard|whatsapp|linkedin|pinterest|"
    r"telegram|messenger|sms|updated|published|all sharing options(?: for)?:?|sharing options|"
    r"\d+ comments?|comments? \(\d+\)|read more|see more|show more|load more|"
    r"(?:read|see) (?:more|also)\s*:.*|related(?: articles| stories| content)?\s*:?.*|"
    r"more (?:(?:articles|stories|posts|news) )?(?:from|by) .*|most (?:popular|read)|trending(?: now)?|recommended(?: for you)?|"
    r"you (?:may|might) also like.*|also read\s*:.*|watch\s*:.*|listen\s*:.*|"
    r"tags?\s*:.*|topics?\s*:.*|filed under\s*:?.*|view comments|jump to comments|by|close|"
    r"(?:©|\(c\)|copyright)\s.*|.*all rights reserved\.?|thanks? (?:you )?for signing up!?|"
    r"tell us what you think.*|(?:more|popular|trending|latest|top) (?:great )?(?:\w+ )?(?:stories|news|videos)"
    r"(?: on \w+)?|popular on .*|breaking news emails|(?:post|add|leave|write) (?:a )?comments?.*|"
    r"\d+ post comment.*|reading time.*|tempo de leitura.*|sorry!?|there was an error.*|"
    r"(?:keep an eye on|check) your inbox.*|no comments?(?: yet)?|comments? from the forums?|google\+|"
    r"back(?: to top)?|voltar|volver|zurück|retour|you(?:'re| are) (?:all )?(?:signed up|subscribed).*)$", re.I)
_SLUG = re.compile(r"^\S*(?:[_%]|\d[A-Za-z]|[A-Za-z]\d)\S*$|^[a-z]+(?:-[a-z]+){2,}$|^\w+(?:-\w+){3,}$")
_SOCIAL = re.compile(r"\b(?:icon|facebook|twitter|linkedin|google(?: plus|\+)?|whatsapp|email|e-mail|pinterest|"
                     r"reddit|telegram|messenger|flipboard|print|share|copy link|x)\b", re.I)
_META_FIELDS = re.compile(r"(?:^|\s[-|·•]\s)[A-Z][\w ]{1,18}:\s")  # "Published by: A - Category: B - Tags: c"
_PIPE_BYLINE = re.compile(r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}\s?\|\s?[A-Z][\w .&'’-]*(?: for [\w.]+)?$")
_CREDITS_LINE = re.compile(  # the wire's staff line: "(Reporting by A; Editing by B)", "C contributed to this report."
    r"^\(?(?:additional |further )?(?:reporting|writing|editing|compiled|research|graphics|produced) by\b|"
    r"\bcontributed (?:reporting )?to this (?:report|story|article)\.?\)?$", re.I)
_RIGHTS = re.compile(r"all rights? reserved|©|\(c\)\s?\d{4}|copyright\s(?:©|\(c\)|\d{4})", re.I)
_CARD = re.compile(r"\S\s+#{2,6}\s+\S")  # a heading and its dek glued into one block: a teaser card
_CTA = re.compile(
    r"\b(?:sign up|subscribe|newsletter|follow us|like us on|join (?:us|the conversation)|"
    r"leave a comment|click here|tap here|download (?:the|our) app|get the app|"
    r"share (?:this|on)|follow @|on (?:twitter|facebook|instagram|linkedin|x)\b)", re.I)
_BYLINE = re.compile(
    r"^(?i:by|written by|words by|reporting by|story by)\s+[A-Z][\w.'’-]*(?:[\s,]+(?:and\s+|&\s+)?"
    r"[A-Z][\w.'’-]*){0,8}(?:\s*[|,·-]\s*.*)?$")
_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*\.?|"
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\w*\.?|"
    r"\b(?:updated|published|posted|first|last|modified|on|at|am|pm|a\.m\.|p\.m\.|"
    r"et|est|edt|ct|cst|cdt|pt|pst|pdt|gmt|utc|bst|ist|hours?|mins?|minutes?|ago|read|time)\b|"
    r"\b(?:janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|"
    r"enero|febrero|marzo|mayo|junio|julio|septiembre|octubre|noviembre|diciembre|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"segunda|terça|quarta|quinta|sexta|feira|sábado|domingo|lunes|martes|miércoles|jueves|viernes|"
    r"lunedì|martedì|mercoledì|giovedì|venerdì|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"de|del|às|a las|le|il)\b|"
    r"[\d:/.,|·•-]+", re.I)
_BIO_HEAD = re.compile(r"^about the (?:authors?|writers?|reporters?|contributors?)\s*:?$", re.I)
_ABOUT_HEAD = re.compile(r"^[Aa]bout [A-Z][\w&.'’-]*(?: [A-Z&][\w&.'’-]*){0,4}\s*:?$")
_BIO = re.compile(
    r"\b(?:is|was|has been) (?:an?|the) (?:[\w-]+ ){0,6}(?:writer|reporter|journalist|"
    r"correspondent|editor|columnist|contributor|producer|author|intern|critic)\b|"
    r"\bfollow (?:him|her|them|@)|\bemail \S+@\S+|\bwith tips\b|\bjoined [\w .&'’-]{2,40} in (?:\w+ )?\d{4}\b|"
    r"\bhas been (?:reporting|writing|covering) (?:on|about)\b", re.I)
_HANDLE_PAREN = re.compile(r"\s*\(@\w{2,}\)")
_HANDLE = re.compile(r"(?<!\w)@\w{2,}|\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\uFE0F\u200D"
    "\u2B00-\u2BFF\u2300-\u23FF]+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")
_GLUED = re.compile(r"(?:^|\s)[^\s.]*[a-z0-9]{2}[.!?][A-Z][a-z]+(?=[\s,:;'’]|$)")
_DOUBLED = re.compile(r"^(.{12,}?)\s?\1$")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*(?:read more|more|continue reading)?\s*$", re.I)


_HOVER_CARD = re.compile(r"(?<=[a-z])(?P<card>[A-Z].{0,600}?) MORE\b")
_LAST_WORD = re.compile(r"([\w'’-]{3,})$")


def _drop_hover_cards(text: str) -> str:
    """A person's pop-up card glued into the sentence right after their name
    ("Gov. Kristi NoemKristi Lynn Noem<her latest headlines> MORE (R) is..."):
    the card starts with the full name, so the name before it recurs there."""
    def fix(match: re.Match[str]) -> str:
        last = _LAST_WORD.search(text, 0, match.start())
        name = last.group(1) if last else ""
        return "" if name and name in match.group("card")[:len(name) + 40] else match.group(0)
    return _HOVER_CARD.sub(fix, text) if " MORE" in text else text


def strip_symbols(text: str) -> str:
    """Remove emoji, zero-width characters and soft hyphens, and pop-up cards
    glued into the text; fold spaces."""
    text = _drop_hover_cards(_ZERO_WIDTH.sub("", _EMOJI.sub(" ", text)))
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()




_WIRE_CAPTION = re.compile(  # "..., on November 7, 2019 in New Delhi, India."
    r",? (?:on )?(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r" \d{1,2}, \d{4},? in [A-Z][\w .'’-]+(?:, [A-Z][\w .'’-]+)*\.?$")
_MODERATION = re.compile(
    r"\byour comment\b|\bcomments? (?:will be|are|is) (?:reviewed|moderated)|submission guidelines|"
    r"post limit reached|\bmodera(?:tor|dor|tore|teur)\b|affiliate (?:and/or referral )?links|"
    r"disclosure (?:page|policy)|save my name, email|сохранить моё имя|subject to copyright|"
    r"may be reproduced without|for information purposes only|recaptcha|privacy policy|terms of (?:service|use)",
    re.I)


def is_caption(block: str) -> bool:
    """Photo captions and credits: agency credit, credit prefix, position markers."""
    if _WIRE_CAPTION.search(block) and words(block) < 60 and not re.search(r"[.!?]\s+[A-Z]", block):
        return True
    if re.search(r"[a-z.](?:Credit|Photo|Image|Picture)s?: ?\S", block):
        return True  # "...ate a rabbitCredit: Getty" — a caption run into its credit
    if re.search(r"[.!?]\s+(?:Image |Photo )?(?:Credit|Photo|Picture)s?:\s*[^.]{1,60}$", block) and words(block) < 120:
        return True  # "...at the pier. Credit: City Wire"
    slash = _CREDIT_SLASH.search(block)  # "AP/NORC poll" inside a sentence is no credit
    if _CREDIT_PREFIX.match(block) or _CREDIT_PAREN.search(block) or \
            (slash and (words(block) <= 20 or slash.start() >= len(block) - 80)):
        return True
    if "©" in block and words(block) < 30 and re.search(r"\b(?:photos?|images?|pictures?|credit)\b", block, re.I):
        return True
    if (_CREDIT_END.search(block) or _NAME_CREDIT_END.search(block)) and not is_sentence(block):
        return True
    positions = bool(_POSITION.search(block)) or len(_LETTER_POSITION.findall(block)) >= 2
    return positions and words(block) < 80


def is_tag_list(block: str) -> bool:
    """A line of tags: four or more short comma-separated items, no sentence."""
    parts = [p.strip() for p in re.split(r"[,;|•·]", block)]
    if len(parts) < 4 or is_sentence(block) or any(not p for p in parts) or ":" in parts[0]:
        return False
    return all(words(p) <= 3 for p in parts) or (len(parts) >= 6 and all(words(p) <= 5 for p in parts)) or \
        (len(parts) >= 8 and all(words(p) <= 6 for p in parts) and words(block) <= 4 * len(parts))


def is_dateline(block: str) -> bool:
    """A block that is only a date, a time or an update stamp."""
    spaced = re.sub(r"(?<=\d)(?=[A-Za-z])", " ", re.sub(r"\b([ap])\.m\.", r"\1m", block, flags=re.I))
    return words(block) <= 14 and bool(re.search(r"\d", block)) and not _DATE_WORDS.sub("", spaced).strip(" ,.;:")


_PROMO_CUES = re.compile(
    r"sign up|subscribe|subscription|newsletter|click here|delivered|inbox|letterbox|free trial|"
    r"download (?:the|our) app|get the app|follow us|unsubscribe|special offer|no spam|news alerts|"
    r"breaking news|latest updates|weekday mornings|straight to your|join our|let us know|sent to you", re.I)


def is_promo(block: str) -> bool:
    """A subscription or newsletter pitch: two or more kinds of call to action."""
    cues = {m.group(0).lower() for m in _PROMO_CUES.finditer(block)}
    return len(cues) >= 2 and words(block) < 60


def is_boilerplate(block: str) -> bool:
    """Notices, prompts, bylines, datelines, captions, tags and handles."""
    short = words(block) <= 40
    if short and _NOTICE.search(block):
        return True
    if (_PROMPT.match(block.strip(" .:!>»›→")) and (words(block) <= 30 or not is_sentence(block))) or \
            (words(block) <= 14 and _CTA.search(block)) or \
            ((_CREDITS_LINE.search(block) or _RIGHTS.search(block)) and words(block) <= 80):
        return True
    if words(block) <= 16 and (_BYLINE.match(block) or is_dateline(block) or _PIPE_BYLINE.match(block)):
        return True
    if words(block) <= 30 and not is_sentence(block) and len(_META_FIELDS.findall(block)) >= 2:
        return True
    if _TRUNCATED.search(block) and re.search(r"read more|continue reading", block[-40:], re.I):
        return True
    if words(block) <= 12 and _HANDLE.search(block) and not is_sentence(block):
        return True
    if is_promo(block) or (_MODERATION.search(block) and words(block) < 60):
        return True
    if words(block) <= 20 and not _SOCIAL.sub("", block).strip(" |·•,;:-"):
        return True  # a row of share buttons ("Icon Facebook Icon Twitter Icon Email")
    if re.fullmatch(r"\[[^\]]{0,40}(?:e-?mail|protected)[^\]]{0,40}\]", block.strip(), re.I):
        return True  # "[email protected]" left where a script hid an address
    if _SLUG.match(block) and len(block) >= 6:
        return True  # a file name, URL slug or image id left from the page
    if (words(block) <= 30 and (_GLUED.search(block) or _DOUBLED.match(block))) or \
            (words(block) <= 60 and _CARD.search(block)):
        return True  # card text: a caption or image title run into a headline or credit
    return is_caption(block) or is_tag_list(block)


def _bio_tail(blocks: list[str], keep: list[bool]) -> None:
    """Drop an 'About the author' section and bio paragraphs that end the article."""
    for i, block in enumerate(blocks):
        if _BIO_HEAD.match(block):
            for j in range(i, len(blocks)):
                if j == i or _BIO.search(blocks[j]) or not is_sentence(blocks[j]) or words(blocks[j]) < 8:
                    keep[j] = False
                else:
                    break
    for j in [i for i, k in enumerate(keep) if k][::-1][:3]:  # the last three kept blocks
        if _BIO.search(blocks[j]) and words(blocks[j]) < 150:
            keep[j] = False
        else:
            break


def _key(block: str) -> str:
    return re.sub(r"\W+", " ", block).strip().lower()


def _about_and_links_tail(blocks: list[str], keep: list[bool], headings: frozenset[int] = frozenset()) -> None:
    """Drop an 'About <Company>' section in the second half, and the run of
    headline-shaped links (related stories) that ends an article, unless one of
    the article's headings or a line ending with a colon introduces the run
    (then it is the list of that section)."""
    half = len(blocks) // 2
    for i in range(half, len(blocks)):
        if _ABOUT_HEAD.match(blocks[i]) and sum(is_body(b) for b in blocks[i + 1:]) <= 3:
            for j in range(i, len(blocks)):
                keep[j] = False
            break
    tail = [i for i in range(len(blocks)) if keep[i]]
    run = []
    for i in reversed(tail):
        if is_sentence(blocks[i]) or not is_headline_case(blocks[i]) or words(blocks[i]) < 4 or \
                i in headings or blocks[i].rstrip().endswith(":"):
            break
        run.append(i)
    before = [i for i in tail if run and i < run[-1]]
    introduced = bool(before) and (before[-1] in headings or blocks[before[-1]].rstrip().endswith(":"))
    if len(run) >= 2 and not introduced:
        for i in run:
            keep[i] = False


def _repeats(blocks: list[str], keep: list[bool]) -> None:
    """Drop blocks repeated verbatim, truncated copies ("…") of others, and
    blocks that a caption repeats with its credit appended."""
    keys = [_key(b) for b in blocks]
    seen: set[str] = set()
    for i, key in enumerate(keys):
        stem = _key(re.sub(r"(?:\.\.\.|…).*$", "", blocks[i]))
        truncated = stem != key and len(stem) > 40
        if (key in seen and not blocks[i].rstrip().endswith("?")) or \
                (truncated and any(k.startswith(stem) for k in keys[:i])):
            keep[i] = False
        seen.add(key)
    captions = [k for k, b in zip(keys, blocks) if is_caption(b)]
    for i, key in enumerate(keys):
        if len(key) > 30 and any(c != key and c.startswith(key) for c in captions):
            keep[i] = False


def _leading_labels(blocks: list[str], keep: list[bool]) -> None:
    """Drop site names and kicker labels (1-3 words, no punctuation) before the body."""
    for i, block in enumerate(blocks):
        if words(block) >= 12 and is_sentence(block):
            return
        if words(block) <= 3 and not is_sentence(block):
            keep[i] = False


def clean_blocks(blocks: list[str], title: str = "", *, plain_text: bool = False,
                 headings: frozenset[int] = frozenset()) -> list[bool]:
    """Which blocks to keep: the rules above, applied in order; for a plain-text
    copy of a page, only the article's own region (see ``region``). ``headings``
    are the blocks the source marks as the article's headings."""
    keep = [bool(b) and not is_boilerplate(b) for b in blocks]
    if not plain_text:  # a structured source marks its headings; other capitals are not
        capital_headlines(blocks, keep, headings)
    furniture = teaser_sections(blocks, keep)
    gallery_slides(blocks, keep)
    comment_section(blocks, keep)
    _bio_tail(blocks, keep)
    _about_and_links_tail(blocks, keep, headings)
    _repeats(blocks, keep)
    company_boilerplate(blocks, keep)
    if plain_text:
        _leading_labels(blocks, keep)
        keep_region(blocks, keep, is_caption, furniture)
        _bio_tail(blocks, keep)  # the region's end may be a bio that page furniture hid
    norm_title = re.sub(r"\W+", " ", title).strip().lower()
    for i, block in enumerate(blocks):
        if norm_title and re.sub(r"\W+", " ", block).strip().lower() == norm_title:
            keep[i] = False
    return keep


def clean_article(article: Article, *, plain_text: bool = False) -> Article:
    """The article without captions, credits, notices, bylines, bios, prompts and repeats.

    ``plain_text`` says the blocks are a copy of a page's text, so everything
    outside the article's own region goes too."""
    blocks = [strip_symbols(_HANDLE_PAREN.sub("", p)) for p in article.paragraphs]
    title = strip_symbols(article.title)
    keep = clean_blocks(blocks, title, plain_text=plain_text, headings=article.headings)
    new_index: dict[int, int] = {}
    paragraphs: list[str] = []
    for i, block in enumerate(blocks):
        if keep[i]:
            new_index[i] = len(paragraphs)
            paragraphs.append(block)
    headings = frozenset(new_index[i] for i in article.headings if i in new_index)
    byline = article.byline or find_byline([b for i, b in enumerate(blocks) if not keep[i]])
    return replace(article, title=title, paragraphs=tuple(paragraphs), headings=headings, byline=byline)


def find_byline(blocks: list[str]) -> str:
    """The author names of the first byline among ``blocks`` ("By A and B | Agency" → "A and B")."""
    for block in blocks:
        if words(block) <= 16 and _BYLINE.match(block):
            names = re.sub(r"^(?i:by|written by|words by|reporting by|story by)\s+", "", block)
            return re.split(r"\s*[|·]\s*|\s+-\s+|,\s*(?=[A-Z][\w ]*(?:Reporter|Writer|Editor|Correspondent))",
                            names)[0].strip(" ,")
    return ""
