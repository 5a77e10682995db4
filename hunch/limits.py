"""The limits a user can raise with a flag, importable without loading anything: the
CLI's options show them as their defaults (``show_default``) at start-up, before
PyYAML or durable_rules is imported. docs/limits.md lists every limit."""

MAX_FILE_BYTES = 5 * 1024 * 1024  # per situation or pack file; `--max-bytes` raises it
DEFAULT_MAX_FIRINGS = 100_000  # rule firings per situation; `--max-firings` raises it

__all__ = ["DEFAULT_MAX_FIRINGS", "MAX_FILE_BYTES"]
