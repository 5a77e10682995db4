"""The click command line: a thin shell over the library; the one place errors become exit codes.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
