"""Which messages `/retry` marks as replaced (no app needed): the last exchange on screen,
the one the session takes out of the context."""

from __future__ import annotations

from textual.widgets import Static

from llxprt_tui.chat.transcript import MessageEntry, Role, last_exchange


def entries(*roles: Role) -> list[MessageEntry]:
    return [MessageEntry(Static(), role, text=f"{role} {n}") for n, role in enumerate(roles)]


def test_the_last_prompt_and_its_reply_are_replaced() -> None:
    shown = entries("user", "assistant", "user", "assistant")
    assert last_exchange(shown) == [shown[3], shown[2]]


def test_a_failed_prompt_without_a_reply_is_replaced_alone() -> None:
    # Its empty reply was taken off the screen; the exchange before it stays in the context.
    shown = entries("user", "assistant", "user")
    assert last_exchange(shown) == [shown[2]]


def test_a_second_retry_replaces_the_retried_exchange_not_the_older_one() -> None:
    shown = entries("user", "assistant", "user", "assistant")
    for entry in last_exchange(shown):
        entry.replaced = True
    shown += entries("user", "assistant")
    assert last_exchange(shown) == [shown[5], shown[4]]


def test_nothing_left_to_replace() -> None:
    shown = entries("user", "assistant")
    for entry in shown:
        entry.replaced = True
    assert last_exchange(shown) == [] and last_exchange([]) == []
