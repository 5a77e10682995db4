"""The engine: a pack compiled to durable_rules, run on a situation, certainties ranked.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
