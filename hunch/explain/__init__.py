"""Analysis of one evaluation: three-valued conditions, HOW, WHY NOT, what-if, unknowns.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
