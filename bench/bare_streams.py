"""The floor for ten tabs streaming at once: the bare openai SDK reading the same streams in
one process, one client per stream (as each tab has its own), each chunk's text appended to a
list. What the SDK and the loopback server cost per chunk, with nothing of ours on top.

Usage: bare_streams.py BASE_URL RUNS COUNT...   prints, per run and COUNT:
    streams COUNT TOKENS_PER_SECOND CPU_SECONDS
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any


async def read(client: Any, into: list[str]) -> None:
    stream = await client.chat.completions.create(
        model="gpt-5",
        messages=[{"role": "user", "content": "go"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    async with stream:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                into.append(chunk.choices[0].delta.content)


async def main(base_url: str, runs: int, counts: list[int]) -> None:
    from openai import AsyncOpenAI

    clients = [
        AsyncOpenAI(api_key="sk-bench", base_url=base_url, max_retries=0)
        for _ in range(max(counts))
    ]
    await asyncio.gather(*(read(c, []) for c in clients))  # warm up: connections, imports
    for _ in range(runs):
        for count in counts:
            texts: list[list[str]] = [[] for _ in range(count)]
            began, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(read(c, t) for c, t in zip(clients, texts, strict=False)))
            elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
            tokens = sum(len(t) for t in texts)
            print("streams", count, tokens / elapsed, cpu, flush=True)
    for client in clients:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), [int(n) for n in sys.argv[3:]]))
