"""The floor for `llxprt -p`: the same streamed call made with a bare vendor SDK, printed.

Usage: bare_sdk.py PROVIDER BASE_URL PROMPT   (the key comes from BENCH_KEY)
"""

from __future__ import annotations

import asyncio
import os
import sys

KEY = os.environ.get("BENCH_KEY", "sk-bench")


def emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def openai_chat(base_url: str, prompt: str) -> None:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    stream = await client.chat.completions.create(
        model="gpt-5", messages=[{"role": "user", "content": prompt}], stream=True
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            emit(chunk.choices[0].delta.content)


async def openai_responses(base_url: str, prompt: str) -> None:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    events = await client.responses.create(model="gpt-5", input=prompt, stream=True)
    async for event in events:
        if event.type == "response.output_text.delta":
            emit(event.delta)


async def anthropic(base_url: str, prompt: str) -> None:
    from anthropic import AsyncAnthropic

    client = AsyncAnthropic(api_key=KEY, base_url=base_url, max_retries=0)
    stream = await client.messages.create(
        model="claude-sonnet-5",
        max_tokens=8192,
        stream=True,
        messages=[{"role": "user", "content": prompt}],
    )
    async for event in stream:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            emit(event.delta.text)


async def gemini(base_url: str, prompt: str) -> None:
    from google import genai
    from google.genai import types

    client = genai.Client(
        api_key=KEY, http_options=types.HttpOptions(base_url=base_url, api_version="v1beta")
    )
    stream = await client.aio.models.generate_content_stream(
        model="gemini-2.5-pro", contents=prompt
    )
    async for chunk in stream:
        if chunk.text:
            emit(chunk.text)


CALLS = {
    "openai": openai_chat,
    "openai-responses": openai_responses,
    "anthropic": anthropic,
    "gemini": gemini,
}

if __name__ == "__main__":
    provider, base, text = sys.argv[1:4]
    asyncio.run(CALLS[provider](base, text))
    emit("\n")
