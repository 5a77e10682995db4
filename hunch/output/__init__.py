"""Output: results and explanations as tables, JSON, Markdown, graphs; files written atomically.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
