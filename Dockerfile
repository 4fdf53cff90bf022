FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=studio.settings.production \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# psycopg's pure-Python build on the distribution's libpq, which the base image's security
# updates keep current; psycopg-binary (with a libpq of its own) is for development only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The runtime lock (make lock): the versions CI tests, each checked against its hash. On its
# own layer, so a change to the code does not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt
COPY . .
# Calma itself: its dependencies are all in already, and the locked setuptools builds it.
RUN pip install --no-deps --no-build-isolation . \
    && rm -rf build calma.egg-info \
    && pip check
# The static files live in the image, where whitenoise serves them: the production profile's
# manifest storage answers every page with a 500 when they have not been collected.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    python manage.py collectstatic --noinput
# The Catalan and Spanish catalogs (the .mo files are built, not committed).
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    python manage.py compilemessages --verbosity 0
RUN useradd --create-home calma
USER calma
EXPOSE 8000
CMD ["gunicorn", "studio.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
