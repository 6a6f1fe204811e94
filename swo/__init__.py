"""The connector's application shell: settings, the ``swo`` command line and the local runner."""
