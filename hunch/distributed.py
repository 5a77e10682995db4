"""``hunch.distributed``, kept as an import path for the programs that use it.

The code lives in hunch.batch.distributed, beside the other batch machinery.
"""

from hunch.batch.distributed import evaluate_bag, evaluate_partition, to_bag

__all__ = ["evaluate_bag", "evaluate_partition", "to_bag"]
