# One image for every suara role: ROLES=command | projector | live (comma-separated; default all).
# Three stages on Node 22 LTS (the CI runs the suite on it, see .ci/run): `build` compiles with the
# dev dependencies, `deps` installs the production dependencies alone, and the runtime stage takes
# only those and the built output. test/dockerfile.unit.spec.ts checks this file (no Docker engine
# runs where the tests do); deploy/image-size.sh estimates the runtime image from the same list.
FROM node:22-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY services/package.json services/
COPY dashboard/package.json dashboard/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY scripts scripts
COPY contracts contracts
COPY services services
COPY dashboard dashboard
# The bench and the S3 test server drive the service from outside with dev-only packages: not shipped.
RUN npm run build && rm -rf services/dist/bench services/dist/evidence/s3-test-server*

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY services/package.json services/
COPY dashboard/package.json dashboard/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
# tini as PID 1: forwards SIGTERM to node (which then drains and closes) and reaps children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Everything root-owned and read-only for the service; only the data folder is the node user's.
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY services/package.json services/
COPY dashboard/package.json dashboard/
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/contracts/dist contracts/dist
COPY --from=build /app/services/dist services/dist
COPY --from=build /app/dashboard/dist dashboard/dist
COPY services/election-data services/election-data
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "services/dist/main.js"]
