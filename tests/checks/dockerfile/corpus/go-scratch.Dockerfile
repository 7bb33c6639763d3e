ARG GO_VERSION=1.21
FROM golang:${GO_VERSION}-alpine AS builder
RUN apk add --no-cache git=2.43.0-r0 ca-certificates=20240226-r0
WORKDIR /build
COPY . .
RUN CGO_ENABLED=0 go build -o app .

FROM scratch
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=builder /build/app /app
USER 65534:65534
HEALTHCHECK CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
