# syntax=docker/dockerfile:1
# One build, two images: `--target worker` and `--target api` (the default, last stage). They share
# every layer but their command and health check; docker-compose.yml and deploy/k8s/ pick one each.
#
# Node 24 is the maintained LTS (Node 20 left support on 2026-04-30); the code also runs on Node
# 20.18.1 or later (package.json engines), which is what the development machines have. Pin the
# base by digest for reproducible builds: --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:…
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only: tsx, esbuild and the Temporal SDK are runtime dependencies here
# (the services run TypeScript through tsx; the API builds the portal with esbuild at start).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# The workflow bundle, built once here instead of by webpack at every worker start.
FROM deps AS build
COPY . .
RUN npm run -s build:workflows -- dist/workflow-bundle.js

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
# Owned by root, so the service's user can read the code but never change it.
COPY . .
COPY --from=build /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
# The base image's unprivileged `node` user, by number so Kubernetes' runAsNonRoot can verify
# it. tsx keeps its compile cache under /tmp, the only place either service writes (Kubernetes
# mounts an emptyDir there under a read-only root).
USER 1000:1000
# `node` itself is PID 1, started directly (no npm, no shell): SIGTERM reaches the service's own
# handler (runtime/shutdown.ts), which drains the worker or closes the API and exits 0. No init
# (tini) is needed: neither service starts child processes, so there are no zombies to reap, and
# Node's handlers make PID 1's default-ignore of signals irrelevant.
STOPSIGNAL SIGTERM

FROM runtime AS worker
# Drain: up to 20 s for in-flight Autotask writes, 40 s before the SDK forces, 45 s before the
# process gives up (worker/create-worker.ts, runtime/shutdown.ts). Give it 60 s to stop
# (compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
# MALLOC_ARENA_MAX: glibc gives each thread that allocates (the SDK's Rust threads, V8's and
# libuv's) an arena of its own, and freed memory stays in them. Two arenas keep 25-35 MB less
# resident, run times within their spread (bench/README.md, "Worker memory"); `npm run worker`
# sets it too.
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    WORKER_HEALTH_FILE=/tmp/worker.health \
    MALLOC_ARENA_MAX=2
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "scripts/healthcheck.mjs", "worker"]
# The flags `npm run worker` passes: a small heap, and young-generation pages that are given back.
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=2", "--import", "tsx", "worker/main.ts"]

FROM runtime AS api
ENV HOST=0.0.0.0 \
    PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "scripts/healthcheck.mjs", "api"]
CMD ["node", "--import", "tsx", "api/main.ts"]
