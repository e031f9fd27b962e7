# The Carnet server image: the server compiled ahead of time, the built web page, its production
# dependencies and the policy files, run as the unprivileged `node` user. Its data (the embedded store when there is no
# DATABASE_URL, and the server's keys) lives in the volume /var/lib/carnet.
# .ci/run builds this same file layout without a Docker engine and starts it as an unprivileged
# user (.ci/image-check): keep the two in step.

# 1. Build (needs the development dependencies: TypeScript, and Vite for the web page).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY web/package.json ./web/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY web ./web
RUN npm run build

# 2. Run: production dependencies only, no sources, no compiler.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# the web page is a workspace: its manifest is needed to install, its packages are not (built files only)
COPY web/package.json ./web/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
COPY bin/carnet.js bin/healthcheck.js ./bin/
COPY profiles ./profiles
# The TEST-ONLY VIHF signer, trusted only in development mode (CARNET_DEV_MODE=true) when
# CARNET_VIHF_TRUSTED_CERTS is not set, so that `carnet vihf` works in a development container.
COPY test/fixtures/vihf/TEST-ONLY-trusted-signer.cert.pem test/fixtures/vihf/TEST-ONLY-trusted-signer.key.pem ./test/fixtures/vihf/

# A named volume starts with the ownership of the image's directory: writable by `node`.
RUN mkdir -p /var/lib/carnet && chown node:node /var/lib/carnet
ENV CARNET_DATA_DIR=/var/lib/carnet CARNET_HOST=0.0.0.0 CARNET_PORT=8080
VOLUME /var/lib/carnet
EXPOSE 8080
USER node
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 CMD ["node", "bin/healthcheck.js"]
CMD ["node", "bin/carnet.js", "serve"]
