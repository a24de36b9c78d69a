"""gunicorn settings, read from the working directory (`make run`, bench/): what an access log line holds."""

# The path without its query string: a Perspective-style client may send its API key as ?key=..., and a
# secret must never reach a log file. Method, path, protocol, status, size, time in ms, user agent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def post_worker_init(worker):
    """Move what lives as long as the worker (the model, the app, imported modules) out of the collector's sight.

    About 175,000 objects are tracked once the app is loaded; every full collection walked them all,
    about 40 µs a request amortised under load. `gc.freeze` leaves them alone; new objects are collected as before.
    """
    import gc

    gc.collect()
    gc.freeze()
