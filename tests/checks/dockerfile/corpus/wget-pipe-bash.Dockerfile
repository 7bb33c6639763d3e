FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends wget curl ca-certificates && rm -rf /var/lib/apt/lists/*
RUN wget -qO- https://get.example.com/install.sh | bash -s -- --prefix /usr/local
RUN sh -c "$(curl -fsSL https://raw.example.com/setup.sh)"
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -
RUN curl -fsSLo /tmp/tool.sh https://example.com/tool.sh && echo "abc  /tmp/tool.sh" | sha256sum -c - && sh /tmp/tool.sh
USER nobody
