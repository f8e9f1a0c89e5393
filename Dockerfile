# Slim production image: non-root, migrations applied at start, served by uvicorn.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir . && pip uninstall -y p2k2-tracker >/dev/null
COPY alembic.ini ./
COPY alembic ./alembic
COPY templates ./templates
COPY static ./static
COPY vendor ./vendor
COPY scripts ./scripts
RUN useradd --system --uid 10001 --home /app p2k2 && mkdir -p /app/data && chown -R p2k2 /app/data \
 && python scripts/vendor_check.py
USER p2k2
ENV ENVIRONMENT=production PORT=8000 DATABASE_URL=sqlite:////app/data/p2k2.sqlite3
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/sehat')" || exit 1
CMD ["sh", "-c", "python -m app.cli migrate && exec uvicorn app.main:app --host 0.0.0.0 --port ${PORT} --proxy-headers --forwarded-allow-ips=${FORWARDED_ALLOW_IPS:-127.0.0.1}"]
