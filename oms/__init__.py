"""The ``oms`` command-line entry point (composes the packages' commands)."""
