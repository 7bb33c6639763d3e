ARG REGISTRY
ARG BASE_IMAGE=ubuntu:22.04
ARG NODE_MAJOR=20
FROM ${REGISTRY}/tools/builder:1.4 AS tools
FROM ${BASE_IMAGE} AS base
ARG NODE_MAJOR
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && rm -rf /var/lib/apt/lists/*
FROM node:${NODE_MAJOR:-18}-bookworm-slim
COPY --from=tools /usr/local/bin/tool /usr/local/bin/tool
USER node
CMD ["tool"]
