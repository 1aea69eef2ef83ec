"""The ``medcite`` command line."""
