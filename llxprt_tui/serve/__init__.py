"""`llxprt serve`: the chat app in a browser tab, one app process per connection, behind a token.

`command` parses the flags and checks the host without importing the web stack; `server`
(textual-serve over aiohttp, the `serve` extra) is imported only when serving.
"""
