"""Consultation: asking a person only the questions that can still change the advice.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
