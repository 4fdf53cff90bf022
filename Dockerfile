FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=studio.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY studio ./studio
COPY bookings ./bookings
COPY intake ./intake
RUN pip install --no-cache-dir .
COPY . .
# The static files live in the image, where whitenoise serves them: the production profile's
# manifest storage answers every page with a 500 when they have not been collected.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    python manage.py collectstatic --noinput
RUN useradd --create-home calma
USER calma
EXPOSE 8000
CMD ["gunicorn", "studio.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
