# syntax=docker/dockerfile:1
# One image for both processes: `npm run start:prod` (API) and `npm run worker:prod` (queue consumers).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CI=true
# Manifests and the Prisma schema first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json prisma.config.ts ./
COPY server/package.json server/
COPY client/package.json client/
COPY console/package.json console/
COPY prisma prisma/
# The image's npm 10 would run dependencies' install scripts (npm 11 does not, and @prisma/engines'
# tries to download a binary): install without scripts, then run the root postinstall ourselves.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm run db:generate
COPY . .
# Type-checks and compiles server and client; a broken tree fails the image build. The runtime
# needs only the compiled JS and production dependencies (migrations run from prisma/ via WASM).
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim AS runtime
# Debian's ffmpeg 5.1 gets security fixes; the npm-bundled static build (2018) is the zero-install default only.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    FFPROBE_PATH=/usr/bin/ffprobe
WORKDIR /app
# The code stays owned by root and read-only for the app; only ./data (embedded defaults) is writable.
COPY --from=build /app /app
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# The API's healthcheck is in docker-compose.yml: the worker shares this image and serves no HTTP.
CMD ["npm", "run", "start:prod"]
