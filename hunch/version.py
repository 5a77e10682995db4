"""hunch's version, in a module of its own so any layer may read it."""

__version__ = "0.1.0"

# The name on the package index (pip install hunch-rules). The import package and the
# command stay `hunch`; `hunch` on the index is someone else's placeholder (README,
# "Installing").
DISTRIBUTION = "hunch-rules"
