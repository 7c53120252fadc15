package dev.minigradient.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Task;
import io.javalin.Javalin;
import io.javalin.event.HandlerMetaInfo;
import java.util.function.Consumer;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.UnsupportedMediaTypeResponse;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.javalin.validation.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The HTTP API over the network's state. All routes are declared in {@link #create}:
 *
 * <ul>
 *   <li>{@code GET /}: the dashboard (static files built into the jar).
 *   <li>{@code GET /metrics}: the prototype's JSON: {@code tasks_completed} (decided tasks),
 *       {@code consensus_history} (their labels, oldest first, the newest {@link
 *       #HISTORY_LIMIT}), {@code reputation} (peer id to score), {@code active_peers} (ids).
 *   <li>{@code GET /health}: 200 when the views are running, else 503.
 *   <li>{@code GET /api/summary}: {@link NetworkStats.Summary}.
 *   <li>{@code GET /api/consensus?limit=N}: the newest N decisions, newest first.
 *   <li>{@code POST /api/tasks?model=ID&name=NAME&redundancy=K}: submits an image (raw body or
 *       multipart); 202 with the task id. {@code model} is a model id or the name of a known
 *       model; {@code redundancy} the committee seats, a positive integer or {@code all}
 *       (absent: the network's default).
 *   <li>{@code GET /api/tasks/{id}}: one task's consensus, 404 until decided.
 *   <li>{@code GET /api/tasks/{id}/input}: the task's input bytes, as submitted.
 *   <li>{@code GET /api/peers}, {@code GET /api/peers/{id}} (with its reputation history).
 *   <li>{@code GET /api/models}: known models and those active peers serve, with names and
 *       labels when known.
 *   <li>{@code GET /api/dead-letters}: counts by reason, source and component; the newest.
 *   <li>{@code GET /api/events}: Server-Sent Events ({@link LiveEvents}); 406 without {@code
 *       Accept: text/event-stream}.
 *   <li>{@code GET /prometheus}: Prometheus text ({@link ApiMetrics}).
 *   <li>{@code GET /api/openapi.json}: the OpenAPI 3.1 description of all of these.
 * </ul>
 *
 * While the stores or the feed are not ready (starting, rebalancing), routes answer 503 with
 * {@code Retry-After: 1}. Errors are JSON: {@code {"status":400,"error":"..."}}; a known path
 * asked with another method is a 405 with {@code Allow}.
 */
public final class MetricsApi {
  /** Most labels {@code /metrics} lists in {@code consensus_history}. */
  public static final int HISTORY_LIMIT = 1000;

  /** Most decisions {@code /api/consensus} returns. */
  public static final int CONSENSUS_LIMIT = 10_000;

  /** Most bytes of a too-large raw body read through before it is refused (see {@link #rawBody}). */
  private static final long DRAIN_BYTES = 8L * 1024 * 1024;

  private static final Pattern MODEL_ID = Pattern.compile("[0-9a-f]{64}");
  private static final String DASHBOARD = "/dashboard";

  /**
   * What the routes read and write.
   *
   * @param views the Streams views
   * @param feed the live feed
   * @param intake publishes submitted tasks
   * @param events the SSE clients
   * @param metrics the Prometheus registry
   * @param defaultModelId the model {@code POST /api/tasks} uses when none is named, or null
   * @param knownModels names and labels of the models this API knows, by model id (may be
   *     empty: then {@code /api/models} lists ids only)
   */
  public record Backend(
      NetworkViews views,
      LiveFeed feed,
      TaskIntake intake,
      LiveEvents events,
      ApiMetrics metrics,
      String defaultModelId,
      Map<String, KnownModel> knownModels) {
    /** Copies the known models. */
    public Backend {
      knownModels = knownModels == null ? Map.of() : Map.copyOf(knownModels);
    }
  }

  /**
   * A model's name and class labels, for display.
   *
   * @param name the registry name, e.g. {@code fashion-mnist}
   * @param labels class names by label index
   */
  public record KnownModel(String name, List<String> labels) {
    /** Copies the labels. */
    public KnownModel {
      labels = List.copyOf(labels);
    }
  }

  /** Thrown while the live feed has not caught up; answered 503 like a store that restores. */
  static final class NotReadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotReadyException(String message) {
      super(message);
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
   * Creates the unstarted app, telling {@code onRoute} of each HTTP handler as Javalin registers
   * it (the routes a test compares with the OpenAPI description).
   *
   * @param b the state to serve
   * @param onRoute called once per registered handler: method and path
   * @return the Javalin app; call {@code start(port)}
   */
  public static Javalin create(Backend b, Consumer<HandlerMetaInfo> onRoute) {
    return Javalin.create(
        cfg -> {
          cfg.events.handlerAdded(onRoute);
          cfg.jsonMapper(new JavalinJackson(ApiJson.MAPPER, false));
          cfg.startup.showJavalinBanner = false;
          // a known path with another method is a 405 with Allow (see the exception mapping below)
          cfg.http.prefer405over404 = true;
          if (MetricsApi.class.getResource(DASHBOARD + "/index.html") != null) {
            cfg.staticFiles.add(
                sf -> {
                  sf.hostedPath = "/";
                  sf.directory = DASHBOARD;
                  sf.location = Location.CLASSPATH;
                });
          } else {
            cfg.routes.get("/", ctx -> ctx.html(
                "<!doctype html><title>mini-gradient</title><p>The dashboard is not in this build"
                    + " (built without npm). The API is at <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>"));
          }
          cfg.routes.get("/metrics", ctx -> ctx.json(metrics(b.views())));
          cfg.routes.get("/health", ctx -> health(ctx, b));
          cfg.routes.get("/api/summary", ctx -> ctx.json(summary(b)));
          cfg.routes.get("/api/consensus", ctx -> ctx.json(latest(b.views(), ctx)));
          cfg.routes.post("/api/tasks", ctx -> submit(ctx, b));
          cfg.routes.get("/api/tasks/{id}", ctx -> ctx.json(task(b.views(), ctx.pathParam("id"))));
          cfg.routes.get("/api/tasks/{id}/input", ctx -> input(ctx, b.feed()));
          cfg.routes.get("/api/peers", ctx -> ctx.json(peers(b)));
          cfg.routes.get("/api/peers/{id}", ctx -> ctx.json(peer(b, ctx.pathParam("id"))));
          cfg.routes.get("/api/models", ctx -> ctx.json(modelDocuments(b)));
          cfg.routes.get("/api/dead-letters", ctx -> ctx.json(deadLetters(b.feed())));
          cfg.routes.get("/api/openapi.json", MetricsApi::openApi);
          cfg.routes.get("/prometheus", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(b.metrics().scrape()));
          cfg.routes.before("/api/events", MetricsApi::requireEventStream);
          cfg.routes.sse("/api/events", client -> b.events().add(client));
          cfg.routes.exception(InvalidStateStoreException.class, (e, ctx) -> notReady(ctx, "state stores not ready: " + e.getMessage()));
          cfg.routes.exception(NotReadyException.class, (e, ctx) -> notReady(ctx, e.getMessage()));
          cfg.routes.exception(ValidationException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, validationMessage(e)));
          cfg.routes.exception(HttpResponseException.class, MetricsApi::httpError);
        });
  }

  private static void httpError(HttpResponseException e, Context ctx) {
    String allowed = e.getDetails().get("availableMethods");
    if (e.getStatus() == HttpStatus.METHOD_NOT_ALLOWED.getCode() && allowed != null) {
      ctx.header("Allow", allowed);
      error(ctx, HttpStatus.METHOD_NOT_ALLOWED, ctx.method() + " not allowed on " + ctx.path() + "; allowed: " + allowed);
      return;
    }
    error(ctx, HttpStatus.forStatus(e.getStatus()), e.getMessage());
  }

  /** Javalin answers an empty 200 to a GET of an SSE route without this header: say what to send. */
  private static void requireEventStream(Context ctx) {
    String accept = ctx.header("Accept");
    // the same test as Javalin's SseHandler, so a request passing it always gets the stream
    if (accept == null || !accept.contains("text/event-stream")) {
      throw new HttpResponseException(
          HttpStatus.NOT_ACCEPTABLE.getCode(),
          "/api/events is a Server-Sent Events stream: send Accept: text/event-stream (e.g. curl -N -H 'Accept: text/event-stream')");
    }
  }

  private static void notReady(Context ctx, String message) {
    ctx.header("Retry-After", "1");
    error(ctx, HttpStatus.SERVICE_UNAVAILABLE, message);
  }

  private static void error(Context ctx, HttpStatus status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status.getCode());
    body.put("error", message);
    ctx.status(status).json(body);
  }

  private static String validationMessage(ValidationException e) {
    List<String> parts = new ArrayList<>();
    e.getErrors().forEach((field, errors) -> errors.forEach(err -> parts.add(field + ": " + err.getMessage())));
    return parts.isEmpty() ? "bad request" : String.join("; ", parts);
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

  private static void health(Context ctx, Backend b) {
    KafkaStreams.State state = b.views().state();
    boolean up = state == KafkaStreams.State.RUNNING;
    ctx.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    if (!up) {
      ctx.header("Retry-After", "1");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", up ? "UP" : "DOWN");
    out.put("streams", state.name());
    out.put("feed", b.feed().caughtUp() ? "CAUGHT_UP" : "CATCHING_UP");
    ctx.json(out);
  }

  private static NetworkStats.Summary summary(Backend b) {
    requireFeed(b.feed());
    NetworkStats.Snapshot s = NetworkStats.compute(b.views(), b.feed(), System.currentTimeMillis());
    b.metrics().update(s);
    return s.summary();
  }

  private static void requireFeed(LiveFeed feed) {
    if (!feed.caughtUp()) {
      throw new NotReadyException("live feed catching up with the topics");
    }
  }

  private static List<Consensus> latest(NetworkViews views, Context ctx) {
    int limit = limit(ctx.queryParam("limit"));
    List<Consensus> all = views.consensusHistory();
    List<Consensus> out = new ArrayList<>(all.subList(Math.max(0, all.size() - limit), all.size()));
    Collections.reverse(out);
    return out;
  }

  /**
   * The {@code limit} query parameter of {@code /api/consensus}.
   *
   * @param value the parameter, or null
   * @return 50 when absent, else the value
   * @throws BadRequestResponse unless it is an integer 1..{@link #CONSENSUS_LIMIT}
   */
  static int limit(String value) {
    if (value == null) {
      return 50;
    }
    int n;
    try {
      n = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1 || n > CONSENSUS_LIMIT) {
      throw new BadRequestResponse("limit must be an integer 1.." + CONSENSUS_LIMIT);
    }
    return n;
  }

  private static Consensus task(NetworkViews views, String taskId) {
    Consensus c = views.consensus(taskId);
    if (c == null) {
      throw new NotFoundResponse("no consensus for task " + taskId + " (unknown or not decided yet)");
    }
    return c;
  }

  private static void input(Context ctx, LiveFeed feed) {
    LiveFeed.StoredInput in = feed.input(ctx.pathParam("id"));
    if (in == null) {
      requireFeed(feed);
      throw new NotFoundResponse("no input for task " + ctx.pathParam("id") + " (unknown, or older than the inputs the API keeps)");
    }
    ctx.header("Cache-Control", "private, max-age=86400, immutable");
    ctx.header("X-Content-Type-Options", "nosniff");
    // anyone can submit anything: never let an input run as a page on this origin
    ctx.header("Content-Security-Policy", "default-src 'none'; sandbox");
    ctx.contentType(safeImageType(in.contentType())).result(in.bytes());
  }

  /**
   * The content type an input is served with: its own when it is a raster image type, else
   * {@code application/octet-stream} (SVG and HTML can carry scripts).
   */
  static String safeImageType(String submitted) {
    String t = submitted == null ? "" : submitted.strip().toLowerCase(java.util.Locale.ROOT);
    return t.matches("image/(png|jpeg|jpg|gif|webp|bmp|tiff|avif)(;.*)?") ? t : "application/octet-stream";
  }

  private static void submit(Context ctx, Backend b) throws IOException {
    Integer redundancy = redundancy(ctx.queryParam("redundancy"));
    byte[] bytes;
    String contentType;
    String name = ctx.queryParam("name");
    String requestType = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
    if (requestType.startsWith("multipart/form-data")) {
      List<UploadedFile> files = ctx.uploadedFiles();
      if (files.isEmpty()) {
        throw new BadRequestResponse("multipart request without a file part (send the image as a file field, e.g. -F image=@digit.png)");
      }
      UploadedFile f = files.get(0);
      if (f.size() > TaskIntake.MAX_INPUT_BYTES) {
        throw tooLarge(f.size());
      }
      try (InputStream in = f.content()) {
        bytes = in.readAllBytes();
      }
      contentType = f.contentType();
      if (name == null) {
        name = f.filename();
      }
    } else {
      if (requestType.startsWith("application/json")
          || requestType.startsWith("application/x-www-form-urlencoded")
          || requestType.startsWith("text/")) {
        throw new UnsupportedMediaTypeResponse(
            "send the image bytes as the body with its Content-Type (e.g. image/png), or as multipart/form-data");
      }
      bytes = rawBody(ctx);
      contentType = ctx.contentType();
    }
    if (bytes.length == 0) {
      throw new BadRequestResponse("empty input: send an image as the request body");
    }
    String modelId = modelFor(ctx.queryParam("model"), b);
    Task task;
    try {
      task = b.intake().submit(modelId, bytes, contentType, name, redundancy);
    } catch (IllegalStateException e) {
      throw new NotReadyException(e.getMessage());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("taskId", task.taskId());
    out.put("modelId", task.modelId());
    out.put("inputSha256", task.inputSha256());
    out.put("submittedAt", task.submittedAt());
    // as the task's JSON writes it: seats, "all", or null for the network's default
    Integer k = task.redundancy();
    out.put("redundancy", k == null ? null : k == Redundancy.ALL ? (Object) Redundancy.format(k) : k);
    out.put("consensus", "/api/tasks/" + task.taskId());
    out.put("input", "/api/tasks/" + task.taskId() + "/input");
    ctx.header("Location", "/api/tasks/" + task.taskId());
    ctx.status(HttpStatus.ACCEPTED).json(out);
  }

  /**
   * The {@code redundancy} query parameter of {@code POST /api/tasks}.
   *
   * @param value the parameter, or null
   * @return null when absent (the network's default), else the seats or {@link Redundancy#ALL}
   * @throws BadRequestResponse unless it is a positive integer or {@code all}
   */
  static Integer redundancy(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Redundancy.parse(value);
    } catch (IllegalArgumentException e) {
      throw new BadRequestResponse(e.getMessage());
    }
  }

  /**
   * A raw request body of at most {@link TaskIntake#MAX_INPUT_BYTES}, read by us rather than by
   * {@code ctx.bodyAsBytes()}, whose own limit (1,000,000 bytes) answers a bare "Content Too
   * Large". A body without {@code Content-Length} is bounded the same way. A larger body is read
   * through and dropped, up to {@link #DRAIN_BYTES}, so that the client, still sending, reads our
   * answer rather than a reset connection; one declared larger than that is answered at once.
   */
  private static byte[] rawBody(Context ctx) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    if (declared > DRAIN_BYTES) {
      throw tooLarge(declared);
    }
    try (InputStream in = ctx.bodyInputStream()) {
      byte[] bytes = in.readNBytes(TaskIntake.MAX_INPUT_BYTES + 1);
      if (bytes.length <= TaskIntake.MAX_INPUT_BYTES) {
        return bytes;
      }
      long total = bytes.length;
      byte[] drop = new byte[64 * 1024];
      int n;
      while (total <= DRAIN_BYTES && (n = in.read(drop)) > 0) {
        total += n;
      }
      if (declared >= 0 || total <= DRAIN_BYTES) {
        throw tooLarge(declared >= 0 ? declared : total);
      }
      throw new ContentTooLargeResponse("input of more than " + DRAIN_BYTES + " bytes > " + TaskIntake.MAX_INPUT_BYTES);
    }
  }

  private static ContentTooLargeResponse tooLarge(long size) {
    return new ContentTooLargeResponse("input of " + size + " bytes > " + TaskIntake.MAX_INPUT_BYTES);
  }

  /**
   * The model a submission names: a model id as it is, or the name of a model the API knows
   * (e.g. {@code mnist}) as its id; when it names none, the default model, else the one model
   * active peers serve.
   *
   * @param requested the {@code model} query parameter, or null
   * @param b the backend
   * @return the model id
   * @throws BadRequestResponse for an unknown name (the message lists the known ones), or when
   *     none is named and there is no single model to default to
   */
  static String modelFor(String requested, Backend b) {
    if (requested != null && !requested.isBlank()) {
      String wanted = requested.strip();
      if (MODEL_ID.matcher(wanted).matches()) {
        return wanted;
      }
      Map<String, String> byName = new TreeMap<>();
      b.knownModels().forEach((id, m) -> byName.put(m.name(), id));
      String id = byName.get(wanted);
      if (id == null) {
        throw new BadRequestResponse(
            "unknown model '" + wanted + "': name one of " + byName.keySet()
                + " or give a model id, the SHA-256 of its ONNX file (GET /api/models lists both)");
      }
      return id;
    }
    if (b.defaultModelId() != null) {
      return b.defaultModelId();
    }
    Set<String> served = models(b.views()).keySet();
    if (served.size() == 1) {
      return served.iterator().next();
    }
    throw new BadRequestResponse("name the model: ?model=<model id>; active peers serve " + served);
  }

  /**
   * The models the API knows and those active peers serve: id, name and labels when known, and
   * the active peers serving each.
   *
   * @param b the backend
   * @return one document per model, sorted by name (unknown last) then id
   */
  static List<Map<String, Object>> modelDocuments(Backend b) {
    Map<String, List<String>> served = models(b.views());
    Set<String> ids = new TreeSet<>(served.keySet());
    ids.addAll(b.knownModels().keySet());
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : ids) {
      KnownModel known = b.knownModels().get(id);
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("modelId", id);
      doc.put("name", known == null ? null : known.name());
      doc.put("labels", known == null ? null : known.labels());
      doc.put("peers", served.getOrDefault(id, List.of()));
      doc.put("default", id.equals(b.defaultModelId()));
      out.add(doc);
    }
    out.sort(
        java.util.Comparator.comparing((Map<String, Object> d) -> d.get("name") == null ? "\uffff" : (String) d.get("name"))
            .thenComparing(d -> (String) d.get("modelId")));
    return out;
  }

  /**
   * Models served by active peers.
   *
   * @param views the views
   * @return model id to the ids of the active peers serving it, sorted
   */
  static Map<String, List<String>> models(NetworkViews views) {
    Map<String, Set<String>> m = new TreeMap<>();
    views.registry().forEach((id, r) -> {
      if (r.active()) {
        r.peer().models().forEach(model -> m.computeIfAbsent(model, k -> new TreeSet<>()).add(id));
      }
    });
    Map<String, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return out;
  }

  /**
   * Every peer known to the registry or the reputation ledger.
   *
   * @param b the backend
   * @return one document per peer, sorted by id
   */
  static List<Map<String, Object>> peers(Backend b) {
    Map<String, NetworkViews.Registered> registry = b.views().registry();
    Map<String, Reputation> ledger = b.views().reputation();
    Set<String> ids = new TreeSet<>(registry.keySet());
    ids.addAll(ledger.keySet());
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : ids) {
      out.add(peerDocument(id, registry.get(id), ledger.get(id)));
    }
    return out;
  }

  private static Map<String, Object> peer(Backend b, String id) {
    NetworkViews.Registered r = b.views().registry().get(id);
    Reputation rep = b.views().reputation().get(id);
    if (r == null && rep == null) {
      throw new NotFoundResponse("no peer " + id + " in the registry or the reputation ledger");
    }
    requireFeed(b.feed());
    Map<String, Object> doc = peerDocument(id, r, rep);
    doc.put("history", b.feed().history(id));
    return doc;
  }

  private static Map<String, Object> peerDocument(String id, NetworkViews.Registered r, Reputation rep) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("peerId", id);
    String status;
    if (r == null) {
      status = "unregistered";
    } else if (r.active()) {
      status = "active";
    } else if (r.peer().leaving()) {
      status = "left";
    } else {
      status = "evicted";
    }
    doc.put("status", status);
    doc.put("active", r != null && r.active());
    if (r != null) {
      Peer p = r.peer();
      Map<String, Object> reg = new LinkedHashMap<>();
      reg.put("stake", p.stake());
      reg.put("models", p.models());
      reg.put("hardware", p.hardware());
      reg.put("heartbeatIntervalMs", p.heartbeatIntervalMs());
      reg.put("lastSeenAt", r.stampedAt());
      reg.put("leaving", p.leaving());
      doc.put("registry", reg);
    } else {
      doc.put("registry", null);
    }
    JsonNode reputation = rep == null ? null : ApiJson.MAPPER.valueToTree(rep);
    doc.put("reputation", reputation instanceof ObjectNode o ? o : null);
    return doc;
  }

  private static LiveFeed.DeadLetterSummary deadLetters(LiveFeed feed) {
    requireFeed(feed);
    return feed.deadLetters();
  }

  private static void openApi(Context ctx) throws IOException {
    try (InputStream in = MetricsApi.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new NotFoundResponse("openapi.json missing from the build");
      }
      ctx.contentType("application/json").result(in.readAllBytes());
    }
  }
}
