package dev.minigradient.api;

import dev.minigradient.protocol.KafkaSettings;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The API process: the read-model views, the live feed, the task intake, Server-Sent Events, the
 * Prometheus registry and the HTTP server.
 */
public final class ApiService implements AutoCloseable {
  private final NetworkViews views;
  private final LiveFeed feed;
  private final TaskIntake intake;
  private final ApiMetrics metrics;
  private final LiveEvents events;
  private final Javalin app;
  private final String host;
  private final int port;

  /**
   * Creates the unstarted service, listening on localhost only.
   *
   * @param kafka Kafka settings
   * @param applicationId Streams application id of the views
   * @param stateDir state directory of the views
   * @param port HTTP port, 0 for any free port
   */
  public ApiService(KafkaSettings kafka, String applicationId, Path stateDir, int port) {
    this(kafka, applicationId, stateDir, "127.0.0.1", port, null, Map.of());
  }

  /**
   * Creates the unstarted service.
   *
   * @param kafka Kafka settings
   * @param applicationId Streams application id of the views
   * @param stateDir state directory of the views
   * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0} for every interface
   * @param port HTTP port, 0 for any free port
   */
  public ApiService(
      KafkaSettings kafka, String applicationId, Path stateDir, String host, int port) {
    this(kafka, applicationId, stateDir, host, port, null, Map.of());
  }

  /**
   * Creates the unstarted service.
   *
   * @param kafka Kafka settings
   * @param applicationId Streams application id of the views
   * @param stateDir state directory of the views
   * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0} for every interface
   * @param port HTTP port, 0 for any free port
   * @param defaultModelId the model {@code POST /api/tasks} uses when the request names none; null
   *     to use the one model active peers serve
   * @param knownModels names and labels of models, by model id, for display (may be empty)
   */
  public ApiService(
      KafkaSettings kafka,
      String applicationId,
      Path stateDir,
      String host,
      int port,
      String defaultModelId,
      Map<String, MetricsApi.KnownModel> knownModels) {
    this.views = new NetworkViews(kafka, applicationId, stateDir);
    this.feed = new LiveFeed(kafka, LiveFeed.Limits.DEFAULT);
    this.intake = new TaskIntake(kafka, Duration.ofSeconds(10));
    this.metrics = new ApiMetrics(views.streams(), feed);
    this.events =
        new LiveEvents(
            feed,
            () -> {
              if (!feed.caughtUp()) {
                throw new InvalidStateStoreException("live feed catching up");
              }
              NetworkStats.Snapshot s =
                  NetworkStats.compute(views, feed, System.currentTimeMillis());
              metrics.update(s);
              return s.summary();
            });
    this.app =
        MetricsApi.create(
            new MetricsApi.Backend(
                views, feed, intake, events, metrics, defaultModelId, knownModels));
    this.host = host;
    this.port = port;
  }

  /**
   * Starts the HTTP server, the feed and the views, and returns once the views' global stores are
   * restored (Kafka Streams restores them inside {@code start()}); meanwhile the server answers 503
   * with {@code Retry-After} and the dashboard says the network is starting.
   *
   * @throws io.javalin.util.JavalinBindException if the port is taken
   */
  public void start() {
    app.start(host, port);
    feed.start();
    views.start();
  }

  /**
   * The bound HTTP port.
   *
   * @return the port
   */
  public int port() {
    return app.port();
  }

  /**
   * The views, for in-process callers.
   *
   * @return the views
   */
  public NetworkViews views() {
    return views;
  }

  /**
   * The live feed, for in-process callers.
   *
   * @return the feed
   */
  public LiveFeed feed() {
    return feed;
  }

  @Override
  public void close() {
    events.close();
    app.stop();
    feed.close();
    intake.close();
    metrics.close();
    views.close();
  }
}
