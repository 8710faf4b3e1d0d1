"""``narrate batch``: many articles to a folder on a Dask cluster, resumable.

``run`` plans each article and writes its files, ``dispatch`` keeps the
cluster's synthesis tasks flowing, ``manifest`` records what was made (and
publishes the feed and index from it), ``progress`` shows it.
"""

from .options import BatchOptions, BatchSummary
from .run import run_batch

__all__ = ["BatchOptions", "BatchSummary", "run_batch"]
