FROM debian:12.6-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential=12.9 wget=1.21.3-1+b2 ca-certificates=20230311 \
    && rm -rf /var/lib/apt/lists/*
RUN cd /tmp && wget -q https://example.com/src/tool-1.0.tar.gz \
    && tar xzf tool-1.0.tar.gz && cd tool-1.0 && ./configure --prefix=/opt/tool && make && make install \
    && cd / && rm -rf /tmp/tool-1.0*
RUN cd /opt/tool && ln -s bin/tool tool

FROM debian:12.6-slim
COPY --from=build /opt/tool /opt/tool
RUN useradd -u 10001 tool
USER tool
ENTRYPOINT ["/opt/tool/bin/tool"]
