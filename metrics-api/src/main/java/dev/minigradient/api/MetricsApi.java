package dev.minigradient.api;

import dev.minigradient.protocol.ModelSpec;
import io.javalin.Javalin;
import io.javalin.event.HandlerMetaInfo;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.javalin.validation.ValidationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The HTTP API over the network's state: {@link #create} lists every route, each with its handler
 * in a class per area ({@link StatusRoutes}, {@link TaskRoutes}, {@link PeerRoutes}, {@link
 * ModelCatalog}, {@link LiveEvents}, and {@link V2Routes} for the Open Inference Protocol under
 * {@code /v2}); {@code openapi.json} describes them all.
 *
 * <p>While the stores or the feed are not ready (starting, rebalancing), routes answer 503 with
 * {@code Retry-After: 1}. Errors are JSON: {@code {"status":400,"error":"..."}}; a known path asked
 * with another method is a 405 with {@code Allow} ({@link ApiErrors}).
 */
public final class MetricsApi {
  private static final String DASHBOARD = "/dashboard";

  /** How often {@code infer} looks up the decisions it waits for, besides the feed's news. */
  private static final Duration DECISION_POLL = Duration.ofMillis(500);

  /** Idle time a request may spend in handling beyond the longest wait for a decision. */
  private static final Duration HANDLING_SLACK = Duration.ofSeconds(15);

  /**
   * What the routes read and write.
   *
   * @param views the Streams views
   * @param feed the live feed
   * @param intake publishes submitted tasks
   * @param events the SSE clients
   * @param metrics the Prometheus registry
   * @param defaultModelId the model {@code POST /api/tasks} uses when none is named, or null
   * @param knownModels names and labels of the models this API knows, by model id (may be empty:
   *     then {@code /api/models} lists ids only)
   * @param state what the routes that wait for decisions and the model catalog read of the network;
   *     null for {@link NetworkState#of} the views and the feed
   */
  public record Backend(
      NetworkViews views,
      LiveFeed feed,
      TaskIntake intake,
      LiveEvents events,
      ApiMetrics metrics,
      String defaultModelId,
      Map<String, KnownModel> knownModels,
      NetworkState state) {
    /** Copies the known models; reads the state from the views and the feed when none is given. */
    public Backend {
      knownModels = knownModels == null ? Map.of() : Map.copyOf(knownModels);
      state = state == null ? NetworkState.of(views, feed) : state;
    }

    /**
     * What the routes read and write, the network's state read from the views and the feed.
     *
     * @param views the Streams views
     * @param feed the live feed
     * @param intake publishes submitted tasks
     * @param events the SSE clients
     * @param metrics the Prometheus registry
     * @param defaultModelId the model {@code POST /api/tasks} uses when none is named, or null
     * @param knownModels names and labels of the models this API knows, by model id
     */
    public Backend(
        NetworkViews views,
        LiveFeed feed,
        TaskIntake intake,
        LiveEvents events,
        ApiMetrics metrics,
        String defaultModelId,
        Map<String, KnownModel> knownModels) {
      this(views, feed, intake, events, metrics, defaultModelId, knownModels, null);
    }
  }

  /**
   * A model the API knows: its name and class labels for display, and its description (recipe,
   * inputs, outputs, how votes agree) for tensor submissions and the Open Inference Protocol's
   * model metadata.
   *
   * @param name the registry name, e.g. {@code fashion-mnist}
   * @param labels class names by label index
   * @param spec the model's description, or null when only its name is known
   */
  public record KnownModel(String name, List<String> labels, ModelSpec spec) {
    /** Copies the labels. */
    public KnownModel {
      labels = List.copyOf(labels);
    }

    /**
     * A model known by name and labels only.
     *
     * @param name the registry name
     * @param labels class names by label index
     */
    public KnownModel(String name, List<String> labels) {
      this(name, labels, null);
    }

    /**
     * A registry model, described.
     *
     * @param spec the model
     * @return its name, labels and description
     */
    public static KnownModel of(ModelSpec spec) {
      return new KnownModel(spec.name(), spec.labels(), spec);
    }
  }

  private MetricsApi() {}

  /**
   * Creates the unstarted app.
   *
   * @param b the state to serve
   * @return the Javalin app; call {@code start(port)}
   */
  public static Javalin create(Backend b) {
    return create(b, route -> {});
  }

  /**
   * Creates the unstarted app, telling {@code onRoute} of each HTTP handler as Javalin registers it
   * (the routes a test compares with the OpenAPI description).
   *
   * @param b the state to serve
   * @param onRoute called once per registered handler: method and path
   * @return the Javalin app; call {@code start(port)}
   */
  public static Javalin create(Backend b, Consumer<HandlerMetaInfo> onRoute) {
    ModelCatalog models = new ModelCatalog(b.knownModels(), b.defaultModelId(), b.state()::served);
    StatusRoutes status = new StatusRoutes(b.views(), b.feed(), b.metrics());
    TaskRoutes tasks = new TaskRoutes(b.views(), b.feed(), b.intake(), models);
    PeerRoutes peers = new PeerRoutes(b.views(), b.feed());
    DecisionWaiter decisions = new DecisionWaiter(b.state(), DECISION_POLL);
    V2Routes v2 = new V2Routes(models, b.state(), b.intake(), decisions);
    return Javalin.create(
        cfg -> {
          cfg.events.handlerAdded(onRoute);
          cfg.events.serverStopped(decisions::close);
          cfg.jsonMapper(new JavalinJackson(ApiJson.MAPPER, false));
          cfg.startup.showJavalinBanner = false;
          // a known path with another method is a 405 with Allow (see ApiErrors.http)
          cfg.http.prefer405over404 = true;
          // infer waits up to V2Routes.MAX_TIMEOUT for a decision: Jetty's idle timeout while a
          // request is handled (by default the connector's, 30 s) must not cut the wait short
          cfg.jetty.modifyHttpConfiguration(
              http -> http.setIdleTimeout(V2Routes.MAX_TIMEOUT.plus(HANDLING_SLACK).toMillis()));
          if (MetricsApi.class.getResource(DASHBOARD + "/index.html") != null) {
            cfg.staticFiles.add(
                sf -> {
                  sf.hostedPath = "/";
                  sf.directory = DASHBOARD;
                  sf.location = Location.CLASSPATH;
                });
          } else {
            cfg.routes.get("/", StatusRoutes::noDashboard);
          }
          cfg.routes.get("/metrics", status::metrics);
          cfg.routes.get("/health", status::health);
          cfg.routes.get("/api/summary", status::summary);
          cfg.routes.get("/api/consensus", tasks::latest);
          cfg.routes.post("/api/tasks", tasks::submit);
          cfg.routes.get("/api/tasks/{id}", tasks::consensus);
          cfg.routes.get("/api/tasks/{id}/input", tasks::input);
          cfg.routes.get("/api/peers", peers::list);
          cfg.routes.get("/api/peers/{id}", peers::one);
          cfg.routes.get("/api/models", models::list);
          cfg.routes.get("/api/dead-letters", status::deadLetters);
          cfg.routes.get("/api/openapi.json", StatusRoutes::openApi);
          cfg.routes.get("/prometheus", status::prometheus);
          cfg.routes.get("/v2", v2::server);
          cfg.routes.get("/v2/health/live", V2Routes::live);
          cfg.routes.get("/v2/health/ready", v2::ready);
          cfg.routes.get("/v2/models/{name}", v2::model);
          cfg.routes.get("/v2/models/{name}/ready", v2::modelReady);
          cfg.routes.post("/v2/models/{name}/infer", v2::infer);
          cfg.routes.get("/v2/models/{name}/versions/{version}", v2::model);
          cfg.routes.get("/v2/models/{name}/versions/{version}/ready", v2::modelReady);
          cfg.routes.post("/v2/models/{name}/versions/{version}/infer", v2::infer);
          cfg.routes.before("/api/events", LiveEvents::requireEventStream);
          cfg.routes.sse("/api/events", client -> b.events().add(client));
          cfg.routes.exception(
              InvalidStateStoreException.class,
              (e, ctx) -> ApiErrors.notReady(ctx, "state stores not ready: " + e.getMessage()));
          cfg.routes.exception(
              NotReadyException.class, (e, ctx) -> ApiErrors.notReady(ctx, e.getMessage()));
          cfg.routes.exception(ValidationException.class, ApiErrors::validation);
          cfg.routes.exception(HttpResponseException.class, ApiErrors::http);
        });
  }
}
