"""The webhook receiver: vendor calls in, Prefect events out (``swo webhooks serve``, part of ``swo run``)."""
