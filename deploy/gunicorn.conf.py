"""gunicorn settings for 常青. Run: gunicorn -c deploy/gunicorn.conf.py changqing.wsgi

Every value can be overridden from the environment (the systemd unit reads
/etc/changqing/changqing.env), so this file stays the same on every server.
"""
import multiprocessing
import os

# nginx talks to gunicorn over a local socket or port; never expose gunicorn itself.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the views are database-bound, short, and Django's ORM is synchronous.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# An xlsx export of a whole city can take a while; long imports and reports go to Celery instead.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes the site down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx on the same host sets X-Forwarded-For / X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs to stdout/stderr: journald keeps them (journalctl -u changqing-web).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Path without the query string: a search by a whole ID number or phone puts it in the URL (?q=…).
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "changqing"
