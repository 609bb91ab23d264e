# mentor_match as one image for the web server and the background worker.
#   docker build -t mentor_match .
#   web:    docker run -p 8000:8000 --env-file mentor_match.env mentor_match
#   worker: docker run --env-file mentor_match.env mentor_match flask --app mentor_match worker
#   schema: docker run --env-file mentor_match.env mentor_match flask --app mentor_match db upgrade
# See docs/deployment.md.

# --- build: the wheel (templates, static files and migrations inside) and every dependency's wheel
FROM python:3.12-slim AS build
WORKDIR /src
RUN python -m pip install --no-cache-dir --upgrade pip
COPY pyproject.toml README.md ./
COPY mentor_match ./mentor_match
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels .

# --- run: only the installed wheels, no source tree, no compiler, not root
FROM python:3.12-slim AS run
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/mentor_match/bin:$PATH
# Pango: WeasyPrint typesets the CPD transcript PDF with it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/mentor_match mentor_match \
    && python -m venv /opt/mentor_match
COPY --from=build /wheels /wheels
RUN /opt/mentor_match/bin/pip install --no-cache-dir --no-index --find-links /wheels mentor_match \
    && rm -rf /wheels \
    && mkdir -p /opt/mentor_match/var/mentor_match-instance \
    && chown mentor_match: /opt/mentor_match/var/mentor_match-instance
# The instance folder (SQLite database when no MENTOR_MATCH_DATABASE_URL is set, the mail outbox,
# instance/config.py) of the installed package.
VOLUME /opt/mentor_match/var/mentor_match-instance
USER mentor_match
WORKDIR /home/mentor_match
EXPOSE 8000
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "mentor_match:create_app()"]
