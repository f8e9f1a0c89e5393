# Production image: the dependencies pinned in pyproject.toml installed straight into the base image's Python (no
# build of the project, so no build/ or *.egg-info folder, no pip cache), then the app's files; runs as a non-root
# user with its SQLite database in a volume.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml /tmp/pyproject.toml
# Babel ships calendars and number formats for ~800 locales (34 MB); the app speaks Indonesian and English.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm -rf /tmp/pyproject.toml /tmp/requirements.txt /root/.cache \
 && find "$(python -c 'import babel, os; print(os.path.dirname(babel.__file__))')/locale-data" -name '*.dat' \
      ! -name root.dat ! -name 'en.dat' ! -name 'en_*.dat' ! -name 'id.dat' ! -name 'id_*.dat' -delete \
 && useradd --system --uid 10001 --home /app p2k2 && mkdir -p /app/data && chown p2k2 /app/data
COPY alembic.ini ./
COPY alembic ./alembic
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY vendor ./vendor
COPY scripts ./scripts
RUN python scripts/vendor_check.py
USER p2k2
# The SQLite database and uploads live here: mount a named volume or a host folder so `docker rm` keeps them.
VOLUME ["/app/data"]
# MIGRATE_ON_START=false when migrations run as their own step (`python -m app.cli migrate`) before the app starts;
# left true, simultaneous starts are still safe (the migrate command holds a database lock).
# FORWARDED_ALLOW_IPS: addresses of the reverse proxy whose X-Forwarded-* headers are trusted ("*" only when nothing
# but the proxy can reach the container). WEB_CONCURRENCY: uvicorn worker processes.
# MALLOC_ARENA_MAX: glibc made an arena per busy thread, which held memory freed long ago (README, "Load benchmark").
ENV MALLOC_ARENA_MAX=2
ENV ENVIRONMENT=production PORT=8000 DATABASE_URL=sqlite:////app/data/p2k2.sqlite3 UPLOAD_DIR=/app/data/uploads \
    MIGRATE_ON_START=true FORWARDED_ALLOW_IPS=127.0.0.1 WEB_CONCURRENCY=1 LOG_FORMAT=json
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/sehat')" || exit 1
CMD ["sh", "-c", "if [ \"$MIGRATE_ON_START\" = true ]; then python -m app.cli migrate || exit 1; fi; exec uvicorn app.main:app --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\" --proxy-headers --forwarded-allow-ips \"$FORWARDED_ALLOW_IPS\" --no-access-log --no-server-header"]
