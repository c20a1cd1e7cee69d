# syntax=docker/dockerfile:1
# Node 22 LTS (Node 20 reached end of life in April 2026; the service still runs on 20, see package.json engines).
# Build: compiles better-sqlite3 from source (needs python3, make, g++), builds, then drops dev dependencies.
FROM node:22-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime: the same base (the compiled better-sqlite3 binary matches its glibc and Node ABI), no compilers.
FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data
WORKDIR /app
# Application files stay owned by root (COPY's default) and read-only to the service user: a compromised process
# cannot change the code it runs. Only the data directory (read models, dev keys) is the service user's.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data && chmod -R a-w /app/package.json /app/node_modules /app/dist
USER node
EXPOSE 3000
# No curl in the image: Node's own fetch asks the liveness endpoint (readiness is /ready, for load balancers).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
