"""Batches: many situations in, one result or one error each out, in order; processes and Dask.

Nothing is imported here: each module is imported by its own name, so a command
loads only the stages it uses.
"""
