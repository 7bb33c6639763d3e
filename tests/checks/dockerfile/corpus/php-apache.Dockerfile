FROM php:8.3-apache
RUN apt-get update && apt-get install -y --no-install-recommends \
        libfreetype-dev \
        libjpeg62-turbo-dev \
        libpng-dev \
        libzip-dev \
    && docker-php-ext-configure gd --with-freetype --with-jpeg \
    && docker-php-ext-install -j"$(nproc)" gd zip pdo_mysql \
    && rm -rf /var/lib/apt/lists/*
COPY --from=composer:2.7 /usr/bin/composer /usr/bin/composer
COPY . /var/www/html/
RUN chown -R www-data:www-data /var/www/html
USER www-data
HEALTHCHECK CMD curl -fs http://localhost/ || exit 1
