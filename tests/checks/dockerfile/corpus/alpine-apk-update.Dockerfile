FROM alpine:3.19.1
RUN apk update && apk add curl=8.5.0-r0 bash=5.2.21-r0
RUN apk add --update --allow-untrusted tini
RUN apk --no-cache add ca-certificates=20240226-r0 \
    && addgroup -S app && adduser -S -G app app
ADD https://github.com/example/tool/releases/download/v1.2.3/tool-linux-amd64 /usr/local/bin/tool
ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef https://example.com/a.tar.gz /opt/
ADD rootfs.tar.xz /
RUN chmod 1777 /scratch && chmod 0755 /usr/local/bin/tool && chmod u+s /usr/local/bin/tool
USER app
ENTRYPOINT ["tini", "--", "/usr/local/bin/tool"]
