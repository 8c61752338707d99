# syntax=docker/dockerfile:1
# Build stage: the same wrapper and build as on a developer machine.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY common/pom.xml common/
COPY clients/pom.xml clients/
COPY gateway/pom.xml gateway/
RUN ./mvnw -B -ntp dependency:go-offline -DexcludeReactor=false || true
COPY proto/ proto/
COPY common/src/ common/src/
COPY clients/src/ clients/src/
COPY gateway/src/ gateway/src/
COPY load-tests/ load-tests/
RUN ./mvnw -B -ntp -DskipTests package \
 && java -Djarmode=tools -jar target/fleetgate.jar extract --layers --launcher --destination /layers

# Runtime stage: JRE only, layered (dependencies change less often than the application), non-root.
FROM eclipse-temurin:17-jre
RUN groupadd --system fleetgate && useradd --system --gid fleetgate --home-dir /var/lib/fleetgate fleetgate \
 && mkdir -p /var/lib/fleetgate && chown fleetgate:fleetgate /var/lib/fleetgate
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
USER fleetgate
ENV FLEETGATE_DATA_DIR=/var/lib/fleetgate
EXPOSE 8080 50051
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD wget -qO- http://127.0.0.1:8080/actuator/health/liveness >/dev/null 2>&1 || exit 1
ENTRYPOINT ["java", "-XX:InitialRAMPercentage=75", "-XX:MaxRAMPercentage=75", "org.springframework.boot.loader.launch.JarLauncher"]
