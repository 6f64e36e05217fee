"""The e-signature's work after a commit (core/durable.py): sealing signed PDFs, reminders.

Handlers are registered by the modules that do the work; importing them here is what makes
``claimory worker`` know them.
"""

from claimory.esign import reminders, seal  # noqa: E402, F401
