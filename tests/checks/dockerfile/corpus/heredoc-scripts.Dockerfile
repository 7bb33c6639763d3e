# syntax=docker/dockerfile:1.7
FROM debian:12.6-slim
RUN <<EOF
set -e
apt-get update
apt-get install -y --no-install-recommends nginx=1.22.1-9
rm -rf /var/lib/apt/lists/*
EOF
COPY <<EOF /etc/nginx/conf.d/app.conf
server {
    listen 8080;
    location / { return 200 "ok"; }
}
EOF
RUN <<-"SCRIPT" bash
	echo 'literal $HOME'
	useradd --uid 10001 --no-create-home web
	SCRIPT
COPY <<CONF1 /etc/app/one.conf <<CONF2 /etc/app/
one=1
CONF1
two=2
CONF2
RUN python3 <<PY
import os
print("curl -k https://not-a-shell-command")
PY
USER 10001
HEALTHCHECK CMD ["curl", "-fs", "http://127.0.0.1:8080/"]
CMD ["nginx", "-g", "daemon off;"]
