FROM node:20.15.0-bookworm-slim AS build
USER node
WORKDIR /home/node/app
COPY --chown=node:node . .
RUN npm ci && npm run build
USER root
RUN apt-get update && apt-get install -y --no-install-recommends zip=3.0-13 && rm -rf /var/lib/apt/lists/* \
    && zip -r /dist.zip dist

FROM node:20.15.0-bookworm-slim
WORKDIR /app
COPY --from=build --chown=node:node /home/node/app/dist ./dist
COPY --from=build /dist.zip /srv/dist.zip
USER node
HEALTHCHECK CMD ["node", "dist/health.js"]
CMD ["node", "dist/index.js"]
