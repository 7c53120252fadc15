package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Reputation;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Handlers of the network's status routes: health, the prototype's {@code /metrics}, the summary,
 * dead letters, Prometheus text and the OpenAPI description.
 */
final class StatusRoutes {
  /** Most labels {@code /metrics} lists in {@code consensus_history}. */
  static final int HISTORY_LIMIT = 1000;

  private final NetworkViews views;
  private final LiveFeed feed;
  private final ApiMetrics metrics;

  /**
   * Creates the handlers.
   *
   * @param views the Streams views
   * @param feed the live feed
   * @param metrics the Prometheus registry, updated with each summary
   */
  StatusRoutes(NetworkViews views, LiveFeed feed, ApiMetrics metrics) {
    this.views = views;
    this.feed = feed;
    this.metrics = metrics;
  }

  /** {@code GET /}: a page saying the dashboard is not in this build (built without npm). */
  static void noDashboard(Context ctx) {
    ctx.html(
        "<!doctype html><title>mini-gradient</title><p>The dashboard is not in this build"
            + " (built without npm). The API is at <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>");
  }

  /** {@code GET /health}: 200 {@code UP} when the views run, else 503 {@code DOWN}. */
  void health(Context ctx) {
    KafkaStreams.State state = views.state();
    boolean up = state == KafkaStreams.State.RUNNING;
    ctx.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    if (!up) {
      ctx.header("Retry-After", "1");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", up ? "UP" : "DOWN");
    out.put("streams", state.name());
    out.put("feed", feed.caughtUp() ? "CAUGHT_UP" : "CATCHING_UP");
    ctx.json(out);
  }

  /** {@code GET /metrics}: the prototype's document ({@link #prototypeMetrics}). */
  void metrics(Context ctx) {
    ctx.json(prototypeMetrics(views));
  }

  /**
   * {@code GET /api/summary}: {@link NetworkStats.Summary}, also recorded in the Prometheus
   * metrics.
   */
  void summary(Context ctx) {
    NotReadyException.requireCaughtUp(feed);
    NetworkStats.Snapshot s = NetworkStats.compute(views, feed, System.currentTimeMillis());
    metrics.update(s);
    ctx.json(s.summary());
  }

  /** {@code GET /api/dead-letters}: counts by reason, source and component; the newest. */
  void deadLetters(Context ctx) {
    NotReadyException.requireCaughtUp(feed);
    ctx.json(feed.deadLetters());
  }

  /** {@code GET /prometheus}: Prometheus text. */
  void prometheus(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }

  /** {@code GET /api/openapi.json}: the OpenAPI description built into the jar. */
  static void openApi(Context ctx) throws IOException {
    try (InputStream in = StatusRoutes.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new NotFoundResponse("openapi.json missing from the build");
      }
      ctx.contentType("application/json").result(in.readAllBytes());
    }
  }

  /**
   * The prototype's {@code /metrics} document: {@code tasks_completed} (decided tasks), {@code
   * consensus_history} (their labels, oldest first, the newest {@link #HISTORY_LIMIT}), {@code
   * reputation} (peer id to score), {@code active_peers} (ids).
   *
   * @param views the stores
   * @return an ordered map in the prototype's shape
   */
  static Map<String, Object> prototypeMetrics(NetworkViews views) {
    List<Consensus> history = views.consensusHistory();
    List<Integer> labels = new ArrayList<>();
    for (Consensus c : history) {
      if (c.status() == ConsensusStatus.DECIDED) {
        labels.add(c.label());
      }
    }
    if (labels.size() > HISTORY_LIMIT) {
      labels = labels.subList(labels.size() - HISTORY_LIMIT, labels.size());
    }
    Map<String, Double> reputation = new LinkedHashMap<>();
    for (Map.Entry<String, Reputation> e : views.reputation().entrySet()) {
      reputation.put(e.getKey(), e.getValue().score());
    }
    List<String> active = views.activePeers();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tasks_completed", NetworkViews.count(history, ConsensusStatus.DECIDED));
    out.put("consensus_history", labels);
    out.put("reputation", reputation);
    out.put("active_peers", active);
    return out;
  }
}
