"""Knowledge: a rule pack and a situation read from YAML (with positions), checked, as a model.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
