package dev.minigradient.api;

import dev.minigradient.protocol.KafkaSettings;
import io.javalin.Javalin;
import java.nio.file.Path;

/** The API process: the read-model views plus the HTTP server. */
public final class ApiService implements AutoCloseable {
  private final NetworkViews views;
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
    this(kafka, applicationId, stateDir, "127.0.0.1", port);
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
  public ApiService(KafkaSettings kafka, String applicationId, Path stateDir, String host, int port) {
    this.views = new NetworkViews(kafka, applicationId, stateDir);
    this.app = MetricsApi.create(views);
    this.host = host;
    this.port = port;
  }

  /**
   * Starts the views and the HTTP server.
   *
   * @throws io.javalin.util.JavalinBindException if the port is taken
   */
  public void start() {
    views.start();
    app.start(host, port);
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

  @Override
  public void close() {
    app.stop();
    views.close();
  }
}
