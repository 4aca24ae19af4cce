# One image for the API and the worker; docker-compose.yml picks the command.
# Node 24 is the maintained LTS (Node 20 left support on 2026-04-30); the code still runs on
# Node 20.18.1 or later (package.json engines), which is what the development machines have.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
