# The production image: one image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --home /app partnercenter && mkdir -p /app/var && chown partnercenter /app/var
USER partnercenter
EXPOSE 8000
# gunicorn.conf.py: bind, workers (WEB_CONCURRENCY), persistent database connections (CONN_MAX_AGE).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "partnercenter.wsgi:application"]
