FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY incidents ./incidents
COPY settings ./settings
COPY store ./store
COPY commands ./commands
COPY ingest ./ingest
COPY api ./api
COPY web ./web
COPY workers ./workers
COPY server ./server
COPY cli ./cli
RUN pip install . && useradd --create-home incidents
COPY config ./config
USER incidents
EXPOSE 8000
CMD ["incidents", "serve", "--host", "0.0.0.0"]
