package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.Reputation;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.json.JavalinJackson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The HTTP API over the network's state stores. All routes are declared in {@link #create}.
 *
 * <ul>
 *   <li>{@code GET /metrics}: the prototype's JSON: {@code tasks_completed} (decided tasks),
 *       {@code consensus_history} (their labels, oldest first, the newest {@link
 *       #HISTORY_LIMIT}), {@code reputation} (peer id to score), {@code active_peers} (ids).
 *   <li>{@code GET /health}: 200 when the views are running, else 503.
 *   <li>{@code GET /api/consensus?limit=N}: the newest N decisions, newest first.
 *   <li>{@code GET /api/tasks/{id}}: one task's consensus, 404 until decided.
 * </ul>
 *
 * While the stores are not queryable (starting, rebalancing), routes answer 503 with {@code
 * Retry-After: 1}.
 */
public final class MetricsApi {
  /** Most labels {@code /metrics} lists in {@code consensus_history}. */
  public static final int HISTORY_LIMIT = 1000;

  private MetricsApi() {}

  /**
   * Creates the unstarted app.
   *
   * @param views the state stores to serve
   * @return the Javalin app; call {@code start(port)}
   */
  public static Javalin create(NetworkViews views) {
    return Javalin.create(
        cfg -> {
          cfg.jsonMapper(new JavalinJackson(JsonSerde.MAPPER, false));
          cfg.startup.showJavalinBanner = false;
          cfg.routes.get("/metrics", ctx -> ctx.json(metrics(views)));
          cfg.routes.get("/health", ctx -> health(ctx, views));
          cfg.routes.get("/api/consensus", ctx -> ctx.json(latest(views, ctx)));
          cfg.routes.get("/api/tasks/{id}", ctx -> ctx.json(task(views, ctx.pathParam("id"))));
          cfg.routes.exception(
              InvalidStateStoreException.class,
              (e, ctx) -> {
                ctx.header("Retry-After", "1");
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE);
                ctx.json(Map.of("error", "state stores not ready: " + e.getMessage()));
              });
        });
  }

  /**
   * The prototype's {@code /metrics} document.
   *
   * @param views the stores
   * @return an ordered map in the prototype's shape
   */
  static Map<String, Object> metrics(NetworkViews views) {
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

  private static void health(Context ctx, NetworkViews views) {
    KafkaStreams.State state = views.state();
    boolean up = state == KafkaStreams.State.RUNNING;
    ctx.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    if (!up) {
      ctx.header("Retry-After", "1");
    }
    ctx.json(Map.of("status", up ? "UP" : "DOWN", "streams", state.name()));
  }

  private static List<Consensus> latest(NetworkViews views, Context ctx) {
    int limit =
        ctx.queryParam("limit") == null
            ? 50
            : ctx.queryParamAsClass("limit", Integer.class)
                .check(n -> n > 0 && n <= 10_000, "limit must be 1..10000")
                .get();
    List<Consensus> all = views.consensusHistory();
    List<Consensus> out = new ArrayList<>(all.subList(Math.max(0, all.size() - limit), all.size()));
    java.util.Collections.reverse(out);
    return out;
  }

  private static Consensus task(NetworkViews views, String taskId) {
    Consensus c = views.consensus(taskId);
    if (c == null) {
      throw new NotFoundResponse("no consensus for task " + taskId + " (unknown or not decided yet)");
    }
    return c;
  }
}
