FROM alpine:3.20
# install everything we need
RUN apk add --no-cache \
    # the HTTP client
    curl \

    jq
ENV A=1
run echo "lower-case keywords are allowed"
COPY --chmod=755 entrypoint.sh /entrypoint.sh
COPY --link --chown=1000:1000 app /app
USER 1000
ENTRYPOINT ["/entrypoint.sh"]
