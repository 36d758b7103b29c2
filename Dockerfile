# syntax=docker/dockerfile:1
# Build stage: compile better-sqlite3, bundle the TypeScript to dist/ (what `npm start` runs),
# then drop the development dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

# Runtime stage: plain node on dist/ (migrations and the sandbox page are copied into it), no
# compiler, non-root user, database on a volume.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    GROUPFLOW_HOST=0.0.0.0 \
    GROUPFLOW_PORT=3000 \
    GROUPFLOW_DB_FILE=/data/groupflow.db
# Mount a config at /app/bot.config.json, or set BOT_CONFIG; secrets can come from the env.
# Several instances on PostgreSQL: GROUPFLOW_DB_URL, and GROUPFLOW_INSTANCE_ID per container.
WORKDIR /app
# package.json ("type": "module") makes dist/*.js ES modules; node_modules holds the externals.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
