"""gunicorn settings, read from the working directory (`make run`, bench/): what an access log line holds."""

# The path without its query string: a Perspective-style client may send its API key as ?key=..., and a
# secret must never reach a log file. Method, path, protocol, status, size, time in ms, user agent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
