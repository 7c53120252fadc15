# One image, every role: the command picks it (network, inference-worker, consensus-streams, metrics-api, task-producer).
# The dashboard is built with Node in its own stage, then placed where the Maven build puts it.
# Every component reads its settings from environment variables (see docker-compose.yml and
# docs/operations.md): MG_BOOTSTRAP_SERVERS, MG_KAFKA_<CLIENT_SETTING>, MG_PEER_ID, MG_API_HOST, MG_API_PORT,
# MG_STATE_DIR.
FROM node:20 AS dashboard
WORKDIR /src/dashboard
COPY dashboard/package.json dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY dashboard/ ./
RUN npm run build -- --outDir /dashboard --emptyOutDir

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
COPY --from=dashboard /dashboard /src/metrics-api/target/classes/dashboard
RUN mvn -B -q -ntp package -DskipTests -Ddashboard.skip=true

FROM eclipse-temurin:17-jre
WORKDIR /app
# models are found under $MG_HOME/models, key files under $MG_HOME/state/keys
ENV MG_HOME=/app
COPY --from=build /src/launcher/target/mini-gradient.jar /app/mini-gradient.jar
COPY models /app/models
ENTRYPOINT ["java", "-jar", "/app/mini-gradient.jar"]
