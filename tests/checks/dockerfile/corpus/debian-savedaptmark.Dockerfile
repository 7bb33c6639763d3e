FROM debian:bookworm-slim
ENV MEMCACHED_VERSION=1.6.29
RUN set -eux; \
	savedAptMark="$(apt-mark showmanual)"; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		ca-certificates \
		dpkg-dev \
		gcc \
		libevent-dev \
		libc6-dev \
		make \
		perl \
		wget \
	; \
	rm -rf /var/lib/apt/lists/*; \
	wget -O memcached.tar.gz "https://memcached.org/files/memcached-$MEMCACHED_VERSION.tar.gz"; \
	mkdir -p /usr/src/memcached; \
	tar -xzf memcached.tar.gz -C /usr/src/memcached --strip-components=1; \
	rm memcached.tar.gz; \
	cd /usr/src/memcached; \
	./configure; \
	make -j "$(nproc)"; \
	make install; \
	cd /; \
	rm -rf /usr/src/memcached; \
	apt-mark auto '.*' > /dev/null; \
	apt-mark manual $savedAptMark > /dev/null; \
	apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
	memcached -V
RUN groupadd --system --gid 11211 memcache && useradd --system --gid memcache --uid 11211 memcache
USER memcache
EXPOSE 11211
CMD ["memcached"]
