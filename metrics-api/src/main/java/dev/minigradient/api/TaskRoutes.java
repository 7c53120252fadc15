package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TensorSpec;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Handlers of the task routes: submitting a task, its decision and input, the newest decisions. */
final class TaskRoutes {
  /** Most decisions {@code /api/consensus} returns. */
  static final int CONSENSUS_LIMIT = 10_000;

  private final NetworkViews views;
  private final LiveFeed feed;
  private final TaskIntake intake;
  private final ModelCatalog models;

  /**
   * Creates the handlers.
   *
   * @param views the Streams views
   * @param feed the live feed (task inputs)
   * @param intake publishes submitted tasks
   * @param models resolves the model a submission names
   */
  TaskRoutes(NetworkViews views, LiveFeed feed, TaskIntake intake, ModelCatalog models) {
    this.views = views;
    this.feed = feed;
    this.intake = intake;
    this.models = models;
  }

  /** {@code GET /api/consensus?limit=N}: the newest N decisions, newest first. */
  void latest(Context ctx) {
    int limit = limit(ctx.queryParam("limit"));
    List<Consensus> all = views.consensusHistory();
    List<Consensus> out = new ArrayList<>(all.subList(Math.max(0, all.size() - limit), all.size()));
    Collections.reverse(out);
    ctx.json(out);
  }

  /** {@code POST /api/tasks}: publishes the uploaded image as a task; 202 with its id. */
  void submit(Context ctx) throws IOException {
    Integer redundancy = redundancy(ctx.queryParam("redundancy"));
    Upload upload = Upload.read(ctx);
    String name = ctx.queryParam("name") != null ? ctx.queryParam("name") : upload.filename();
    String modelId = models.resolve(ctx.queryParam("model"));
    checkTensors(modelId, upload.bytes());
    Task task = publish(intake, modelId, upload.bytes(), upload.contentType(), name, redundancy);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("taskId", task.taskId());
    out.put("modelId", task.modelId());
    out.put("inputSha256", task.inputSha256());
    out.put("submittedAt", task.submittedAt());
    // as the task's JSON writes it: seats, "all", or null for the network's default
    Integer k = task.redundancy();
    out.put(
        "redundancy", k == null ? null : k == Redundancy.ALL ? (Object) Redundancy.format(k) : k);
    out.put("consensus", consensusPath(task.taskId()));
    out.put("input", consensusPath(task.taskId()) + "/input");
    ctx.header("Location", consensusPath(task.taskId()));
    ctx.status(HttpStatus.ACCEPTED).json(out);
  }

  /**
   * Publishes a task submitted over HTTP ({@code POST /api/tasks}, the Open Inference Protocol's
   * {@code infer}) and waits for the broker's acknowledgement.
   *
   * @param intake the intake
   * @param modelId the model id
   * @param input the input bytes, 1..{@link TaskIntake#MAX_INPUT_BYTES}
   * @param contentType the input's media type, may be null
   * @param name a display name, may be null
   * @param redundancy seats, {@link Redundancy#ALL}, or null for the network's default
   * @return the published task
   * @throws NotReadyException (answered 503) if the broker did not acknowledge it in time
   */
  static Task publish(
      TaskIntake intake,
      String modelId,
      byte[] input,
      String contentType,
      String name,
      Integer redundancy) {
    try {
      return intake.submit(modelId, input, contentType, name, redundancy);
    } catch (IllegalStateException e) {
      throw new NotReadyException(e.getMessage());
    }
  }

  /**
   * Where a task's consensus is read.
   *
   * @param taskId the task
   * @return {@code /api/tasks/{taskId}}
   */
  static String consensusPath(String taskId) {
    return "/api/tasks/" + taskId;
  }

  /**
   * Refuses, before publishing, the input of a tensor model whose tensors the model does not take:
   * what its peers would refuse ({@code bad-tensor}).
   *
   * @throws BadRequestResponse naming the difference (malformed JSON, a wrong name, datatype or
   *     shape, a batch over 1)
   */
  private void checkTensors(String modelId, byte[] input) {
    ModelCatalog.Entry known = models.find(modelId);
    ModelSpec spec = known == null ? null : known.model().spec();
    if (spec == null || !spec.isTensors()) {
      return;
    }
    try {
      TensorSpec.checkAll(spec.inputs(), InferenceRequest.readInputs(input));
    } catch (IllegalArgumentException e) {
      throw new BadRequestResponse(
          "model " + spec.name() + " takes an inference request it can run: " + e.getMessage());
    }
  }

  /** {@code GET /api/tasks/{id}}: the task's consensus; 404 until decided. */
  void consensus(Context ctx) {
    String taskId = ctx.pathParam("id");
    Consensus c = views.consensus(taskId);
    if (c == null) {
      throw new NotFoundResponse(
          "no consensus for task " + taskId + " (unknown or not decided yet)");
    }
    ctx.json(c);
  }

  /** {@code GET /api/tasks/{id}/input}: the task's input bytes, never served as a page. */
  void input(Context ctx) {
    LiveFeed.StoredInput in = feed.input(ctx.pathParam("id"));
    if (in == null) {
      NotReadyException.requireCaughtUp(feed);
      throw new NotFoundResponse(
          "no input for task "
              + ctx.pathParam("id")
              + " (unknown, or older than the inputs the API keeps)");
    }
    ctx.header("Cache-Control", "private, max-age=86400, immutable");
    ctx.header("X-Content-Type-Options", "nosniff");
    // anyone can submit anything: never let an input run as a page on this origin
    ctx.header("Content-Security-Policy", "default-src 'none'; sandbox");
    ctx.contentType(safeImageType(in.contentType())).result(in.bytes());
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
   * The content type an input is served with: its own when it is a raster image type, else {@code
   * application/octet-stream} (SVG and HTML can carry scripts).
   *
   * @param submitted the type the requester gave, may be null
   * @return the type to serve
   */
  static String safeImageType(String submitted) {
    String t = submitted == null ? "" : submitted.strip().toLowerCase(Locale.ROOT);
    return t.matches("image/(png|jpeg|jpg|gif|webp|bmp|tiff|avif)(;.*)?")
        ? t
        : "application/octet-stream";
  }
}
