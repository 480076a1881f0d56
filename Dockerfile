# One image for every suara role: ROLES=command | projector | live (comma-separated; default all).
FROM node:20-bookworm

WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY services/package.json services/
COPY dashboard/package.json dashboard/
RUN npm ci

COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force \
 && mkdir -p /app/data && chown node:node /app/data

ENV NODE_ENV=production \
    PORT=3000
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "services/dist/main.js"]
