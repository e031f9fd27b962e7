# The Carnet server image. The TypeScript sources run through the tsx loader, as with npm start.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY profiles ./profiles
COPY tsconfig.json ./
ENV CARNET_HOST=0.0.0.0 CARNET_PORT=8080
EXPOSE 8080
USER node
CMD ["node", "bin/carnet.js", "serve"]
