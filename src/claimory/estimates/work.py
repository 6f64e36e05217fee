"""Background work of the estimates app: queued imports, and the watched-folder scan that
runs with every worker sweep."""

from claimory.core import durable
from claimory.estimates import folders, intake  # noqa: F401 - registers the handler

durable.every_sweep(folders.scan_all)
