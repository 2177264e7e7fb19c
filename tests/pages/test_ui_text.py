"""User text shown by pages: literal, never markup."""

import html
import re

import pytest

from pages.ui import inline_code, safe_text


@pytest.mark.parametrize(
    "text",
    ["<script>x</script>", "*bold* _it_ `code`", "$x^2$", "[a](http://e)", "a|b#c~d\\", 'it\'s "quoted"'],
)
def test_safe_text_leaves_no_markdown_or_html_syntax(text):
    out = safe_text(text)
    bare = re.sub(r"&(#\d+|[a-z]+);", "", out)
    for ch in "<>*_`$[]~|#\\&":
        assert ch not in bare
    assert html.unescape(out) == text


@pytest.mark.parametrize(("text", "fence"), [("a", "`"), ("a`b", "``"), ("``x`", "```")])
def test_inline_code_fence_is_longer_than_any_backtick_run(text, fence):
    assert inline_code(text) == f"{fence} {text} {fence}"
