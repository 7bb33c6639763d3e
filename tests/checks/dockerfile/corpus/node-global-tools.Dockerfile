FROM node:20-bookworm
RUN npm config set strict-ssl false \
    && npm install -g typescript ts-node pm2@5.3.1
RUN yarn global add nodemon
ENV NPM_TOKEN=npm_example_token_do_not_use
WORKDIR /srv
COPY . .
RUN npm ci --omit=dev
CMD ["pm2-runtime", "dist/index.js"]
