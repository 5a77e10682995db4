"""``hunch.distributed``, kept as an import path for the programs that use it.

The code lives in hunch.batch.distributed, beside the other batch machinery.
"""

from hunch.batch.distributed import (
    PartitionReport,
    evaluate_bag,
    evaluate_files,
    evaluate_partition,
    partitions,
    to_bag,
    write_partition,
)

__all__ = ["PartitionReport", "evaluate_bag", "evaluate_files", "evaluate_partition",
           "partitions", "to_bag", "write_partition"]
