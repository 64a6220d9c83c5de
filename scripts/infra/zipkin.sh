# Zipkin: the trace UI of the local platform. Jaeger stays the trace store the tests, Grafana and the
# operator use, but its Go module ships no UI page (its built assets come from the jaeger-ui project,
# which no registry here serves), while Zipkin's server, UI included (zipkin-lens), is a jar on Maven
# Central. Jaeger forwards every span it receives (OTLP/JSON) to a small bridge
# (observability/src/zipkin/bridge.ts), which posts them to Zipkin's collector in Zipkin's format,
# so a trace shows in Zipkin's UI at /zipkin/traces/<trace id> seconds after it reaches Jaeger.
ZIPKIN_VERSION=${ZIPKIN_VERSION:-3.6.1}
ZIPKIN_PORT=${ZIPKIN_PORT:-9411}
ZIPKIN_BRIDGE_PORT=${ZIPKIN_BRIDGE_PORT:-9412}
ZIPKIN_DIR=$INFRA_CACHE/zipkin-$ZIPKIN_VERSION

# The "slim" server (memory storage, HTTP collector, UI; none of the Kafka / Elasticsearch / Cassandra
# parts), fetched by Maven from Maven Central. Maven keeps its own copy under ~/.m2; that one is dropped
# so the 86 MB jar is stored once.
fetch_zipkin() {
  mvn -B -q dependency:copy "-Dartifact=io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:slim" \
    "-DoutputDirectory=$1" -Dmdep.stripVersion=true
  mv "$1/zipkin-server-slim.jar" "$1/zipkin.jar"
  rm -rf "$HOME/.m2/repository/io/zipkin/zipkin-server/$ZIPKIN_VERSION"
}

zipkin_install() {
  command -v java >/dev/null || fail "Java 17 or newer is needed to run Zipkin"
  command -v mvn >/dev/null || fail "Maven is needed to fetch Zipkin's server from Maven Central"
  cached_build zipkin "$ZIPKIN_VERSION" "$ZIPKIN_DIR" fetch_zipkin
}
# A download: overlaps with the foreground's builds.
zipkin_prebuild() { zipkin_install; }

zipkin_ready() { curl -sf --max-time 2 "http://127.0.0.1:$ZIPKIN_PORT/health"; }
zipkin_bridge_ready() { curl -sf --max-time 2 "http://127.0.0.1:$ZIPKIN_BRIDGE_PORT/healthz"; }

zipkin_start() {
  if ! pid_alive zipkin; then
    require_free_port zipkin "$ZIPKIN_PORT"
    # Memory storage bounded like Jaeger's (its spans are lost on restart, as Jaeger's are); the JIT's
    # first tier only, which halves the JVM's start-up for a server that handles a person's clicks.
    start_daemon zipkin "$INFRA_LOGS/zipkin.log" env STORAGE_TYPE=mem MEM_MAX_SPANS=200000 \
      java -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$ZIPKIN_DIR/zipkin.jar" \
      "--armeria.ports[0].port=$ZIPKIN_PORT" --armeria.ports[0].ip=127.0.0.1 --armeria.ports[0].protocols=http
  fi
  if ! pid_alive zipkin-bridge; then
    require_free_port zipkin-bridge "$ZIPKIN_BRIDGE_PORT"
    [ -x "$REPO_ROOT/node_modules/.bin/tsx" ] || fail "the OTLP → Zipkin bridge runs with tsx: run npm ci first"
    start_daemon zipkin-bridge "$INFRA_LOGS/zipkin-bridge.log" \
      env -C "$REPO_ROOT" ZIPKIN_BRIDGE_PORT="$ZIPKIN_BRIDGE_PORT" ZIPKIN_URL="http://127.0.0.1:$ZIPKIN_PORT" \
      node --import tsx observability/src/zipkin/bridge.ts
  fi
  wait_until zipkin-bridge "$INFRA_LOGS/zipkin-bridge.log" 30 zipkin_bridge_ready
  wait_until zipkin "$INFRA_LOGS/zipkin.log" 120 zipkin_ready
}

zipkin_stop() {
  stop_daemon zipkin-bridge
  stop_daemon zipkin
}

zipkin_status() {
  daemon_status zipkin "$ZIPKIN_DIR" "$ZIPKIN_PORT" "$ZIPKIN_VERSION" "(UI /zipkin/, OTLP bridge $ZIPKIN_BRIDGE_PORT)"
}

zipkin_env() {
  echo "ZIPKIN_URL=http://127.0.0.1:$ZIPKIN_PORT"
  echo "ZIPKIN_BRIDGE_URL=http://127.0.0.1:$ZIPKIN_BRIDGE_PORT"
}
