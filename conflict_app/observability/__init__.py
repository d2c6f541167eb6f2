"""Running Pardus in production: health checks, Prometheus metrics, JSON logs with request
ids. Nothing here reads or writes claims; it watches the processes that do."""
