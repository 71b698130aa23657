"""Comments are user input: whatever is written, the stored HTML carries no script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from accord.conversation import text

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "<div onmouseover=alert(1)>hover</div>",
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    '[x](https://ok.example "t" onclick=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "<a href=&#106;avascript:alert(1)>x</a>",
    "[x](&#106;avascript:alert(1))",
]


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("source", ATTACKS)
def test_no_script_event_handler_or_script_link_survives(source, cast):
    html = text.render(cast.org, source).html
    for tag, attributes in tags_of(html):
        assert tag in text.ALLOWED_TAGS, html
        assert tag not in ("script", "img", "iframe", "svg", "style"), html
        for name, value in attributes.items():
            assert not name.startswith("on"), html
            assert name in ("href", "title", "rel", "class", "start", "align"), html
            if name == "href":
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                assert scheme in ("", "http", "https", "mailto"), html
    assert "<script" not in html.lower()


def test_raw_html_is_shown_as_text(cast):
    html = text.render(cast.org, "<b>bold</b> & <script>x</script>").html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html


def test_markdown_is_rendered(cast):
    html = text.render(
        cast.org, "**strong** _em_ `code`\n\n- one\n- two\n\n[site](https://example.com/a?b=1)"
    ).html
    assert "<strong>strong</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow">site</a>' in html


def test_the_sanitizer_alone_drops_what_is_not_allowed():
    dirty = (
        '<p onclick="x()">hi <a href="javascript:x()">a</a> <a href="https://ok.example" '
        'class="evil" style="color:red">b</a><img src="https://x.example/i.png"></p>'
    )
    clean = text.sanitize(dirty)
    assert clean == (
        '<p>hi <a rel="noopener noreferrer nofollow">a</a> '
        '<a href="https://ok.example" class="" rel="noopener noreferrer nofollow">b</a></p>'
    )
