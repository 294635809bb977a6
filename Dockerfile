# The kume image: the CLI, the crawler, the extraction pipelines and the API in one Python image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    KUME_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY kume ./kume
COPY kume_cli ./kume_cli
COPY crawler ./crawler
COPY nlp ./nlp
COPY search_api ./search_api
COPY pipeline ./pipeline
COPY api ./api
COPY models ./models
COPY demo_site ./demo_site
RUN pip install ".[opensearch]" \
    && useradd --system --home-dir /data --uid 1000 kume \
    && mkdir -p /data && chown kume /data

USER kume
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["kume"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
