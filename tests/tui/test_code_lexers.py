"""Which lexers a restored conversation's code blocks need (chat/code_lexers.py)."""

from __future__ import annotations

from llxprt_tui.chat.code_lexers import LONGEST, MOST, fence_languages, load_lexers


def test_the_info_strings_of_fences_are_found_once_each_in_order() -> None:
    texts = [
        "Like this:\n\n```python\nx = 1\n```\n",
        "~~~ js  \nx\n~~~\n   ```python\ny\n```",
        "```\nno language\n```\n````rust title=x\n````\n",
        "    ```indented is code, not a fence\n",
        "```\n```python is text inside a block\n```\n",
    ]
    assert fence_languages(texts) == ["python", "js", "", "rust title=x"]  # "": no language


def test_a_conversation_asks_for_a_bounded_number_of_short_names() -> None:
    many = "".join(f"```lang{n}\nx\n```\n" for n in range(3 * MOST))
    assert fence_languages([many]) == [f"lang{n}" for n in range(MOST)]
    assert fence_languages([f"```{'x' * (LONGEST + 1)}\ny\n```"]) == []


def test_loading_a_name_pygments_does_not_know_is_no_error() -> None:
    load_lexers(["no-such-language", "rust title=x", "python"])
