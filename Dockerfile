# One image, every role: the command picks it (network, inference-worker, consensus-streams, metrics-api, task-producer).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -ntp install -DskipTests

FROM eclipse-temurin:17-jre
WORKDIR /app
ENV MG_HOME=/app
COPY --from=build /src/launcher/target/mini-gradient.jar /app/mini-gradient.jar
COPY models /app/models
ENTRYPOINT ["java", "-jar", "/app/mini-gradient.jar"]
