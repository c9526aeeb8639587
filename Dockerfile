# Threadcast in a container. Build: docker build -t threadcast .
# Run:  docker run -d --name threadcast --env-file .env -v threadcast-data:/data -p 127.0.0.1:8787:8787 \
#         -v "$PWD/config/threadcast.yaml:/app/config/threadcast.yaml:ro" threadcast
# In the mounted config set `store: sqlite:/data/threadcast.sqlite` and `server: { host: 0.0.0.0 }`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and sharp fall back to building from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# `npm ci` runs the `prepare` script, which compiles src/ into dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/package.json ./
# The editor page's files are read from src/server/page at run time.
COPY --from=build /app/src/server/page ./src/server/page
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8787
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:8787/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/threadcast.js"]
CMD ["run"]
