"""The report metrics, one module per family. Each is a plain function of a set of locations
and a ``Period`` that reads existing rows and returns plain dataclasses (no HTML)."""
