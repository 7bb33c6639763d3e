FROM alpine:3.20
ENV REDIS_VERSION=7.2.5
RUN set -eux; \
    apk add --no-cache --virtual .build-deps \
        coreutils \
        gcc \
        linux-headers \
        make \
        musl-dev \
        openssl-dev \
        wget \
    ; \
    wget -O redis.tar.gz "https://download.redis.io/releases/redis-$REDIS_VERSION.tar.gz"; \
    mkdir -p /usr/src/redis; \
    tar -xzf redis.tar.gz -C /usr/src/redis --strip-components=1; \
    rm redis.tar.gz; \
    make -C /usr/src/redis -j "$(nproc)" all; \
    make -C /usr/src/redis install; \
    rm -r /usr/src/redis; \
    apk del --no-network .build-deps; \
    redis-server --version
RUN addgroup -S -g 1000 redis && adduser -S -G redis -u 999 redis
USER redis
EXPOSE 6379
CMD ["redis-server"]
