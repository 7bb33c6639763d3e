FROM ruby:3.3
RUN apt-get update -qq && apt-get install -y build-essential libpq-dev nodejs \
    && rm -rf /var/lib/apt/lists/*
RUN gem install bundler && gem install rails -v 7.1.3
WORKDIR /myapp
COPY Gemfile Gemfile.lock ./
RUN bundle install
COPY . .
ENV SECRET_KEY_BASE=0f5c1e2d3c4b5a69788796a5b4c3d2e1f0
EXPOSE 3000
CMD ["rails", "server", "-b", "0.0.0.0"]
