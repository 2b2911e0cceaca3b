"""llxprt_tui: the Textual app and the `llxprt` command line."""
