FROM rust:1.79-alpine3.20 AS builder
RUN apk add --no-cache musl-dev=1.2.5-r0 pkgconf=2.2.0-r0
WORKDIR /usr/src/app
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/src/app/target \
    cargo build --release --locked && cp target/release/app /app

FROM alpine:3.20.1
RUN apk add --no-cache ca-certificates=20240705-r0 \
    && adduser -D -u 10001 app
COPY --from=builder /app /usr/local/bin/app
USER app
EXPOSE 8080
HEALTHCHECK CMD ["/usr/local/bin/app", "--check"]
ENTRYPOINT ["/usr/local/bin/app"]
