"""Authoring tools: `hunch check` (lint), pack tests with coverage, the `hunch init` scaffold.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
