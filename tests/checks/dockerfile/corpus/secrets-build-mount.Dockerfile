# syntax=docker/dockerfile:1
FROM node:20.15.0-bookworm-slim AS deps
ARG NPM_TOKEN
ARG API_TOKEN_FILE=/run/secrets/api_token
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev
RUN --mount=type=ssh git clone git@github.com:example/private-lib.git /opt/lib

FROM gcr.io/distroless/nodejs20-debian12:nonroot
ENV DB_PASSWORD_FILE=/run/secrets/db_password
ENV API_KEY=${API_KEY}
COPY --from=deps /app/node_modules /app/node_modules
COPY . /app
CMD ["/app/server.js"]
