"""The floor for `llxprt -p`: the same streamed call made with a bare vendor SDK, printed.

Usage: bare_sdk.py PROVIDER BASE_URL PROMPT   (the key comes from BENCH_KEY)
"""

from __future__ import annotations

import asyncio
import os
import sys


async def main(provider: str, base_url: str, prompt: str) -> None:
    key = os.environ.get("BENCH_KEY", "sk-bench")
    out = sys.stdout
    if provider in ("openai", "openai-responses"):
        from openai import AsyncOpenAI

        client = AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0)
        if provider == "openai":
            stream = await client.chat.completions.create(
                model="gpt-5", messages=[{"role": "user", "content": prompt}], stream=True
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    out.write(chunk.choices[0].delta.content)
                    out.flush()
        else:
            events = await client.responses.create(model="gpt-5", input=prompt, stream=True)
            async for event in events:
                if event.type == "response.output_text.delta":
                    out.write(event.delta)
                    out.flush()
    elif provider == "anthropic":
        from anthropic import AsyncAnthropic

        client_a = AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0)
        stream_a = await client_a.messages.create(
            model="claude-sonnet-5",
            max_tokens=8192,
            stream=True,
            messages=[{"role": "user", "content": prompt}],
        )
        async for event in stream_a:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                out.write(event.delta.text)
                out.flush()
    else:
        from google import genai
        from google.genai import types

        client_g = genai.Client(
            api_key=key, http_options=types.HttpOptions(base_url=base_url, api_version="v1beta")
        )
        stream_g = await client_g.aio.models.generate_content_stream(
            model="gemini-2.5-pro", contents=prompt
        )
        async for chunk in stream_g:
            if chunk.text:
                out.write(chunk.text)
                out.flush()
    out.write("\n")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
