FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# The whole source tree (.dockerignore keeps out what must stay out), not a list of packages that
# falls behind the code: tests/integration/test_container_image.py builds and starts the same files.
COPY . .
RUN pip install . && rm -rf build *.egg-info && useradd --create-home incidents
USER incidents
EXPOSE 8000
CMD ["incidents", "serve", "--host", "0.0.0.0"]
