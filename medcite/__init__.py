"""The top floor: the ``medcite`` command line, which composes the library (``rag``), evaluation (``eval``)
and the service (``service``). Nothing below imports it."""
