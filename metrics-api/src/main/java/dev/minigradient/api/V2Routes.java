package dev.minigradient.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Datatype;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Tensor;
import dev.minigradient.protocol.TensorSpec;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Handlers of the Open Inference Protocol (KServe V2) over HTTP/REST, so that any V2 client can ask
 * the network: health, server and model metadata, model readiness and inference. Spec:
 * kserve.github.io, "Open Inference Protocol (V2 Inference Protocol)", HTTP/REST.
 *
 * <p>{@code infer} publishes the request as a task, as {@code POST /api/tasks} does, and waits for
 * the network's decision: 200 with the decision as output tensors, 422 when the network decided
 * otherwise (rejected, no quorum, timed out, model not served), 202 with {@code Location} when it
 * has not decided within the request's timeout. A tensor model's task carries the request's tensors
 * ({@link InferenceRequest}); an image model takes one {@code BYTES} input, {@code image} of shape
 * {@code [1]}, holding the image file in base64. Errors are the API's JSON, whose {@code error} is
 * the V2 error message.
 */
final class V2Routes {
  /** The server's name in its metadata. */
  static final String SERVER_NAME = "mini-gradient";

  /** The platform of every model: ONNX files run by ONNX Runtime. */
  static final String PLATFORM = "onnxruntime_onnx";

  /** The one input of an image model: the image file, base64, in a BYTES tensor of shape [1]. */
  static final TensorSpec IMAGE_INPUT = TensorSpec.of("image", Datatype.BYTES, 1);

  /** The outputs of a decision by class: the label, and its class name. */
  static final List<TensorSpec> CLASS_OUTPUTS =
      List.of(TensorSpec.of("label", Datatype.INT64, 1), TensorSpec.of("class", Datatype.BYTES, 1));

  /** How long {@code infer} waits for the decision when the request does not say. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The longest wait a request may ask for. */
  static final Duration MAX_TIMEOUT = Duration.ofSeconds(120);

  /**
   * Largest inference request body, bytes: 2 MiB, room for an image of {@link Task#MAX_INPUT_BYTES}
   * in base64 (4/3 larger); what becomes the task is held to that limit.
   */
  static final int MAX_REQUEST_BYTES = 2 * 1024 * 1024;

  /** Reads numbers from their decimal text, so FP32 elements round once (see InferenceRequest). */
  private static final ObjectReader EXACT =
      ApiJson.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final String VERSION = readVersion();

  private final ModelCatalog models;
  private final NetworkState state;
  private final TaskIntake intake;
  private final DecisionWaiter decisions;

  /**
   * Creates the handlers.
   *
   * @param models the models the API knows
   * @param state readiness and the models active peers serve
   * @param intake publishes inference requests as tasks
   * @param decisions waits for their decisions
   */
  V2Routes(ModelCatalog models, NetworkState state, TaskIntake intake, DecisionWaiter decisions) {
    this.models = models;
    this.state = state;
    this.intake = intake;
    this.decisions = decisions;
  }

  /** {@code GET /v2/health/live}: 200 {@code {"live": true}} while the process serves HTTP. */
  static void live(Context ctx) {
    ctx.json(Map.of("live", true));
  }

  /**
   * {@code GET /v2/health/ready}: 200 {@code {"ready": true}} when the views run and the live feed
   * has caught up, else 503 {@code {"ready": false}} with {@code Retry-After: 1}.
   */
  void ready(Context ctx) {
    boolean ready = state.ready();
    if (!ready) {
      ctx.header("Retry-After", "1");
    }
    ctx.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("ready", ready));
  }

  /** {@code GET /v2}: the server's metadata: name, version, no extensions. */
  void server(Context ctx) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", SERVER_NAME);
    out.put("version", VERSION);
    out.put("extensions", List.of());
    ctx.json(out);
  }

  /** {@code GET /v2/models/{name}[/versions/{version}]}: the model's metadata; 404 unknown. */
  void model(Context ctx) {
    ctx.json(metadata(known(ctx)));
  }

  /**
   * {@code GET /v2/models/{name}[/versions/{version}]/ready}: 200 {@code {"name", "ready": true}}
   * when an active peer serves the model, else 503 with {@code "ready": false}; 404 unknown.
   */
  void modelReady(Context ctx) {
    ModelCatalog.Entry m = known(ctx);
    boolean ready = !state.served().getOrDefault(m.modelId(), List.of()).isEmpty();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", m.model().name());
    out.put("ready", ready);
    ctx.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(out);
  }

  /**
   * {@code POST /v2/models/{name}[/versions/{version}]/infer}: publishes the request as a task and
   * answers the decision (200), a decision other than {@code DECIDED} (422), or, when none came
   * within the timeout, 202 with {@code Location: /api/tasks/{taskId}}. 400 for a request that is
   * not a V2 request or whose tensors the model does not take, 404 for an unknown model, 413 for
   * more than a task carries, 503 while not ready or the broker does not acknowledge.
   */
  void infer(Context ctx) throws IOException {
    ModelCatalog.Entry m = known(ctx);
    byte[] body =
        Upload.body(
            ctx.req().getContentLengthLong(), ctx::bodyInputStream, MAX_REQUEST_BYTES, "request");
    Request req = Request.read(body, ctx.queryParam("timeout"));
    TaskInput in = taskInput(m.model(), req.inputs());
    if (!state.ready()) {
      throw new NotReadyException(
          "not ready to learn decisions: the views are starting or the live feed is catching up");
    }
    Task task =
        TaskRoutes.publish(
            intake, m.modelId(), in.bytes(), in.contentType(), req.id(), req.redundancy());
    ctx.future(
        () ->
            decisions
                .await(task.taskId(), req.timeout())
                .thenAccept(c -> answer(ctx, m, req, task, c)));
  }

  private void answer(
      Context ctx, ModelCatalog.Entry m, Request req, Task task, Consensus decision) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (decision == null) {
      String poll = TaskRoutes.consensusPath(task.taskId());
      out.putAll(head(m, req, task, Map.of("task_id", task.taskId())));
      out.put("consensus", poll);
      out.put(
          "message",
          "not decided within "
              + req.timeout().toMillis()
              + " ms; GET "
              + poll
              + " answers the decision (404 until then)");
      ctx.header("Location", poll);
      ctx.status(HttpStatus.ACCEPTED).json(out);
      return;
    }
    Map<String, Object> parameters = parameters(decision);
    if (decision.status() != ConsensusStatus.DECIDED) {
      out.put("status", HttpStatus.UNPROCESSABLE_CONTENT.getCode());
      out.put("error", notDecided(m, decision));
      out.putAll(head(m, req, task, parameters));
      ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(out);
      return;
    }
    out.putAll(head(m, req, task, parameters));
    out.put("outputs", outputs(m.model(), decision));
    ctx.json(out);
  }

  private static Map<String, Object> head(
      ModelCatalog.Entry m, Request req, Task task, Map<String, Object> parameters) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model_name", m.model().name());
    out.put("model_version", m.modelId());
    out.put("id", req.id() != null ? req.id() : task.taskId());
    out.put("parameters", parameters);
    return out;
  }

  /**
   * The response's {@code parameters}: what the network's decision says beside its outputs.
   *
   * @param c the decision
   * @return {@code task_id}, {@code consensus_status}, {@code agreeing_weight}, {@code
   *     total_weight}, {@code support} (their ratio), {@code confidence}, {@code committee}, {@code
   *     escalation} (only when escalated), {@code latency_ms}
   */
  static Map<String, Object> parameters(Consensus c) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("task_id", c.taskId());
    p.put("consensus_status", c.status().name());
    p.put("agreeing_weight", c.agreeingWeight());
    p.put("total_weight", c.totalWeight());
    p.put("support", c.support());
    p.put("confidence", c.confidence());
    p.put("committee", c.committee());
    if (c.escalation() != null) {
      p.put("escalation", c.escalation());
    }
    p.put("latency_ms", c.latencyMs());
    return p;
  }

  private static String notDecided(ModelCatalog.Entry m, Consensus c) {
    String why =
        switch (c.status()) {
          case REJECTED ->
              "the peers rejected the input"
                  + (c.rejection() == null ? "" : " (" + c.rejection() + ")");
          case NO_QUORUM -> "no answer reached the quorum of the peers' weight";
          case TIMED_OUT -> "no peer answered before the network's deadline";
          case UNSUPPORTED_MODEL -> "no active peer serves model " + m.model().name();
          case DECIDED -> "decided";
        };
    return "task " + c.taskId() + " was not decided: " + c.status() + ", " + why;
  }

  /**
   * The model's V2 metadata.
   *
   * @param m the model
   * @return {@code name}, {@code versions} (its model id), {@code platform}, {@code inputs} and
   *     {@code outputs} as {@code infer} takes and answers them
   */
  static Map<String, Object> metadata(ModelCatalog.Entry m) {
    ModelSpec spec = m.model().spec();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", m.model().name());
    out.put("versions", List.of(m.modelId()));
    out.put("platform", PLATFORM);
    out.put("inputs", inputs(spec));
    out.put("outputs", byValue(spec) ? List.of(valueOutput(spec)) : CLASS_OUTPUTS);
    return out;
  }

  /**
   * The inputs {@code infer} takes for a model: a tensor model's own, else {@link #IMAGE_INPUT}.
   *
   * @param spec the model's description, or null (a model known by name only: an image model)
   * @return the inputs
   */
  static List<TensorSpec> inputs(ModelSpec spec) {
    return spec != null && spec.isTensors() ? spec.inputs() : List.of(IMAGE_INPUT);
  }

  private static boolean byValue(ModelSpec spec) {
    return spec != null && spec.agreement().byValue();
  }

  /**
   * The output {@code infer} answers for a model whose votes agree by value: the agreed output, as
   * FP64 (the decided values are the votes' median), one item (a dynamic first dimension is 1).
   *
   * @param spec the model's description, or null
   * @return the output; {@code values} of shape {@code [1, -1]} when the description names none
   */
  static TensorSpec valueOutput(ModelSpec spec) {
    TensorSpec o = spec == null ? null : spec.agreedOutput();
    if (o == null) {
      return TensorSpec.of("values", Datatype.FP64, 1, TensorSpec.DYNAMIC);
    }
    List<Long> shape = new ArrayList<>(o.shape());
    if (!shape.isEmpty() && shape.get(0) == TensorSpec.DYNAMIC) {
      shape.set(0, 1L);
    }
    return new TensorSpec(o.name(), Datatype.FP64, shape);
  }

  /**
   * The shape of a decided value output of {@code n} elements: the described shape, its one dynamic
   * dimension filled from {@code n}; {@code [1, n]} when that cannot hold {@code n}.
   *
   * @param described the output as {@link #valueOutput} gives it
   * @param n how many values were decided
   * @return the shape
   */
  static List<Long> valueShape(TensorSpec described, int n) {
    List<Long> shape = new ArrayList<>(described.shape());
    long fixed = 1;
    int dynamic = -1;
    for (int i = 0; i < shape.size(); i++) {
      if (shape.get(i) != TensorSpec.DYNAMIC) {
        fixed *= shape.get(i);
      } else if (dynamic < 0) {
        dynamic = i;
      } else {
        return List.of(1L, (long) n);
      }
    }
    if (dynamic >= 0 && fixed > 0 && n % fixed == 0 && n > 0) {
      shape.set(dynamic, n / fixed);
      return shape;
    }
    return dynamic < 0 && fixed == n ? shape : List.of(1L, (long) n);
  }

  /**
   * The output tensors of a decision: a value decision's values as {@link #valueOutput}; a class
   * decision's label (INT64) and class name (BYTES, the label itself when the model names none).
   *
   * @param model the model
   * @param c a {@code DECIDED} decision
   * @return the V2 output tensor objects
   */
  static List<Map<String, Object>> outputs(MetricsApi.KnownModel model, Consensus c) {
    if (!c.values().isEmpty()) {
      TensorSpec o = valueOutput(model.spec());
      return List.of(tensor(o.name(), Datatype.FP64, valueShape(o, c.values().size()), c.values()));
    }
    if (c.label() == null) {
      return List.of();
    }
    int label = c.label();
    List<String> labels = model.labels();
    String name = label >= 0 && label < labels.size() ? labels.get(label) : Integer.toString(label);
    return List.of(
        tensor("label", Datatype.INT64, List.of(1L), List.of(label)),
        tensor("class", Datatype.BYTES, List.of(1L), List.of(name)));
  }

  private static Map<String, Object> tensor(
      String name, Datatype type, List<Long> shape, List<?> data) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", name);
    t.put("datatype", type.name());
    t.put("shape", shape);
    t.put("data", data);
    return t;
  }

  private ModelCatalog.Entry known(Context ctx) {
    String name = ctx.pathParam("name");
    ModelCatalog.Entry m = models.find(name);
    if (m == null) {
      throw new NotFoundResponse(
          "unknown model '"
              + name
              + "': the API knows "
              + models.names()
              + ", by name or model id (the SHA-256 of its ONNX file)");
    }
    String version = ctx.pathParamMap().get("version");
    if (version != null && !version.equals(m.modelId())) {
      throw new NotFoundResponse(
          "model "
              + m.model().name()
              + " has one version, its model id "
              + m.modelId()
              + ", not "
              + version);
    }
    return m;
  }

  /**
   * A task's input and media type.
   *
   * @param bytes the input
   * @param contentType its media type, may be null
   */
  record TaskInput(byte[] bytes, String contentType) {}

  /**
   * What a request's tensors make of a task for a model: a tensor model's tensors as a V2 request
   * ({@link InferenceRequest#write}, {@link InferenceRequest#MEDIA_TYPE}); an image model's image,
   * decoded from its one base64 {@code BYTES} input.
   *
   * @param model the model
   * @param tensors the request's inputs
   * @return the task's input
   * @throws BadRequestResponse when the tensors are not the model's inputs (name, datatype, shape,
   *     more than one item), or the image is not base64 or empty
   * @throws ContentTooLargeResponse over {@link Task#MAX_INPUT_BYTES}
   */
  static TaskInput taskInput(MetricsApi.KnownModel model, List<Tensor> tensors) {
    ModelSpec spec = model.spec();
    List<TensorSpec> inputs = inputs(spec);
    try {
      TensorSpec.checkAll(inputs, tensors);
    } catch (IllegalArgumentException e) {
      throw new BadRequestResponse(e.getMessage());
    }
    if (spec != null && spec.isTensors()) {
      try {
        byte[] json = InferenceRequest.checkFits(InferenceRequest.write(tensors));
        return new TaskInput(json, InferenceRequest.MEDIA_TYPE);
      } catch (IllegalArgumentException e) {
        throw new ContentTooLargeResponse(e.getMessage());
      }
    }
    String base64 = ((String[]) tensors.get(0).data())[0];
    byte[] image;
    try {
      image = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new BadRequestResponse(
          "input " + IMAGE_INPUT.name() + " must hold the image file in base64: " + e.getMessage());
    }
    if (image.length == 0) {
      throw new BadRequestResponse("input " + IMAGE_INPUT.name() + " holds an empty image");
    }
    if (image.length > Task.MAX_INPUT_BYTES) {
      throw new ContentTooLargeResponse(
          "image of " + image.length + " bytes > " + Task.MAX_INPUT_BYTES);
    }
    return new TaskInput(image, imageType(image));
  }

  /**
   * The media type of an image file from its first bytes.
   *
   * @param b the file
   * @return {@code image/png}, {@code image/jpeg}, {@code image/gif}, {@code image/webp}, {@code
   *     image/bmp}, or null (peers sniff the bytes themselves)
   */
  static String imageType(byte[] b) {
    if (starts(b, 0x89, 'P', 'N', 'G')) {
      return "image/png";
    }
    if (starts(b, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (starts(b, 'G', 'I', 'F', '8')) {
      return "image/gif";
    }
    if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E') {
      return "image/webp";
    }
    return starts(b, 'B', 'M') ? "image/bmp" : null;
  }

  private static boolean starts(byte[] b, int... prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((b[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A V2 inference request as {@code infer} reads it.
   *
   * @param id the request's {@code id}, or null; answered back, and the task's display name
   * @param redundancy {@code parameters.redundancy}: seats, {@code all}, or null for the network's
   * @param timeout how long to wait for the decision
   * @param inputs the input tensors
   */
  record Request(String id, Integer redundancy, Duration timeout, List<Tensor> inputs) {
    /**
     * Reads a request body.
     *
     * @param body the JSON: {@code {"id"?, "parameters"?: {"redundancy"?, "timeout_ms"?}, "inputs":
     *     [...]}} ({@code outputs} and other fields are ignored)
     * @param timeoutSeconds the {@code timeout} query parameter (seconds, may be fractional), or
     *     null; {@code parameters.timeout_ms} wins over it
     * @return the request
     * @throws BadRequestResponse naming what is wrong: not JSON, not an object, an {@code id} that
     *     is not a string or too long, {@code parameters} not an object, a bad redundancy or
     *     timeout, or a tensor {@link InferenceRequest#readInputs(JsonNode)} refuses
     */
    static Request read(byte[] body, String timeoutSeconds) {
      JsonNode root;
      try {
        root = EXACT.readTree(body);
      } catch (IOException e) {
        throw new BadRequestResponse("not JSON: " + firstLine(e.getMessage()));
      }
      if (root == null || !root.isObject()) {
        throw new BadRequestResponse(
            "an inference request is a JSON object with an \"inputs\" array");
      }
      JsonNode idNode = root.path("id");
      String id = null;
      if (!idNode.isMissingNode() && !idNode.isNull()) {
        if (!idNode.isTextual() || idNode.asText().length() > Task.MAX_ID_LENGTH) {
          throw new BadRequestResponse(
              "\"id\" must be a string of at most " + Task.MAX_ID_LENGTH + " characters");
        }
        id = idNode.asText();
      }
      JsonNode parameters = root.path("parameters");
      if (!parameters.isMissingNode() && !parameters.isNull() && !parameters.isObject()) {
        throw new BadRequestResponse("\"parameters\" must be an object");
      }
      Integer redundancy = redundancy(parameters.path("redundancy"));
      Duration timeout = timeout(parameters.path("timeout_ms"), timeoutSeconds);
      List<Tensor> inputs;
      try {
        inputs = InferenceRequest.readInputs(root);
      } catch (IllegalArgumentException e) {
        throw new BadRequestResponse(e.getMessage());
      }
      return new Request(id, redundancy, timeout, inputs);
    }

    private static Integer redundancy(JsonNode k) {
      if (k.isMissingNode() || k.isNull()) {
        return null;
      }
      if (!k.isNumber() && !k.isTextual()) {
        throw new BadRequestResponse(
            "parameters.redundancy must be a positive integer or \"all\", got: " + k);
      }
      return TaskRoutes.redundancy(k.asText());
    }

    private static Duration timeout(JsonNode ms, String seconds) {
      if (!ms.isMissingNode() && !ms.isNull()) {
        if (!ms.isIntegralNumber()
            || !ms.canConvertToLong()
            || ms.longValue() < 0
            || ms.longValue() > MAX_TIMEOUT.toMillis()) {
          throw new BadRequestResponse(
              "parameters.timeout_ms must be an integer 0.."
                  + MAX_TIMEOUT.toMillis()
                  + " (milliseconds), got: "
                  + ms);
        }
        return Duration.ofMillis(ms.longValue());
      }
      if (seconds == null) {
        return DEFAULT_TIMEOUT;
      }
      double s;
      try {
        s = Double.parseDouble(seconds.strip());
      } catch (NumberFormatException e) {
        s = Double.NaN;
      }
      if (!(s >= 0 && s <= MAX_TIMEOUT.toSeconds())) {
        throw new BadRequestResponse(
            "timeout must be a number of seconds 0.."
                + MAX_TIMEOUT.toSeconds()
                + ", got: "
                + seconds);
      }
      return Duration.ofMillis(Math.round(s * 1000));
    }

    private static String firstLine(String s) {
      if (s == null) {
        return "";
      }
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    }
  }

  /** The API's version: the jar's, else the one its OpenAPI description states. */
  private static String readVersion() {
    String v = V2Routes.class.getPackage().getImplementationVersion();
    if (v != null) {
      return v;
    }
    try (InputStream in = V2Routes.class.getResourceAsStream("/openapi.json")) {
      return in == null
          ? "unknown"
          : ApiJson.MAPPER.readTree(in).path("info").path("version").asText("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
