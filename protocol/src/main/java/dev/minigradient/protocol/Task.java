package dev.minigradient.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An inference task: one input for one model, published to {@link Topics#TASKS} keyed by {@code
 * taskId}. The peers seated on its committee answer it ({@link Committee}).
 *
 * @param schemaVersion wire schema version, {@link #SCHEMA_VERSION} when written by this code
 * @param taskId unique id of the task (a UUID string); also the record key
 * @param modelId SHA-256 (lower-case hex) of the ONNX file the peers must run, see {@link ModelIds}
 * @param input the raw input bytes, e.g. a PNG or JPEG file (JSON: base64)
 * @param contentType media type of {@code input}, e.g. {@code image/png}; advisory, peers sniff
 * @param inputSha256 SHA-256 (lower-case hex) of {@code input}, echoed by every vote
 * @param submittedAt when the requester published the task, epoch ms
 * @param requester free-form id of the requester
 * @param name optional human name of the input (a file name), for display
 * @param redundancy committee seats the requester asks for ({@link Redundancy}): a positive
 *     integer, {@link Redundancy#ALL} (JSON {@code "all"}) for every peer, or null (absent) for the
 *     network's default
 */
@RecordBuilder
public record Task(
    int schemaVersion,
    String taskId,
    String modelId,
    byte[] input,
    String contentType,
    String inputSha256,
    long submittedAt,
    String requester,
    String name,
    @JsonDeserialize(using = Redundancy.Reader.class)
        @JsonSerialize(using = Redundancy.Writer.class)
        @JsonInclude(JsonInclude.Include.NON_NULL)
        Integer redundancy) {

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * Largest input, bytes: 720 KiB. In the JSON record the bytes are base64 (4/3 larger), so a task
   * stays under 1 MiB, the default record limit of Kafka's producers ({@code max.request.size}) and
   * brokers ({@code message.max.bytes}): a task fits any cluster without reconfiguring it.
   */
  public static final int MAX_INPUT_BYTES = 720 * 1024;

  /** Longest task id, characters. */
  public static final int MAX_ID_LENGTH = 200;

  /** How far in the future a submission time may lie (clocks differ), ms. */
  public static final long MAX_CLOCK_SKEW_MS = 3_600_000;

  /**
   * Validates the fields every consumer relies on.
   *
   * @throws NullPointerException if the task id, model id or input is missing
   * @throws IllegalArgumentException if the task id is blank or too long, the input empty or over
   *     {@link #MAX_INPUT_BYTES}, or the submission time negative or more than an hour ahead
   */
  public Task {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(input, "input");
    if (taskId.isBlank() || taskId.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException("taskId must be 1.." + MAX_ID_LENGTH + " characters");
    }
    if (input.length == 0 || input.length > MAX_INPUT_BYTES) {
      throw new IllegalArgumentException(
          "input of " + input.length + " bytes, must be 1.." + MAX_INPUT_BYTES);
    }
    if (submittedAt < 0 || submittedAt > System.currentTimeMillis() + MAX_CLOCK_SKEW_MS) {
      throw new IllegalArgumentException(
          "submittedAt " + submittedAt + " is negative or more than an hour ahead");
    }
    if (redundancy != null) {
      Redundancy.check(redundancy);
    }
  }

  /**
   * Creates a task for {@code input}, computing its SHA-256 and stamping the current time.
   *
   * @param taskId the task id
   * @param modelId the model id (SHA-256 of the ONNX file)
   * @param input the input bytes
   * @param contentType media type of the input
   * @param requester requester id
   * @param name display name (a file name) or null
   * @return the task
   */
  public static Task of(
      String taskId,
      String modelId,
      byte[] input,
      String contentType,
      String requester,
      String name) {
    return builder()
        .taskId(taskId)
        .modelId(modelId)
        .input(input)
        .contentType(contentType)
        .inputSha256(Hashes.sha256Hex(input))
        .submittedAt(System.currentTimeMillis())
        .requester(requester)
        .name(name)
        .build();
  }

  /**
   * A copy asking for {@code k} committee seats.
   *
   * @param k seats, {@link Redundancy#ALL}, or null for the network default
   * @return the task
   * @throws IllegalArgumentException if k is not a valid redundancy
   */
  public Task withRedundancy(Integer k) {
    return toBuilder().redundancy(k).build();
  }

  /**
   * A builder for a task: schema version {@link #SCHEMA_VERSION}, the network's default redundancy,
   * submission time 0, and every other component null until set.
   *
   * @return a new builder
   */
  public static TaskBuilder builder() {
    return TaskBuilder.builder().schemaVersion(SCHEMA_VERSION);
  }

  /**
   * A builder holding this task's components, for a copy that differs in some of them.
   *
   * @return a new builder
   */
  public TaskBuilder toBuilder() {
    return TaskBuilder.builder(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Task t
        && schemaVersion == t.schemaVersion
        && submittedAt == t.submittedAt
        && taskId.equals(t.taskId)
        && modelId.equals(t.modelId)
        && Arrays.equals(input, t.input)
        && Objects.equals(contentType, t.contentType)
        && Objects.equals(inputSha256, t.inputSha256)
        && Objects.equals(requester, t.requester)
        && Objects.equals(name, t.name)
        && Objects.equals(redundancy, t.redundancy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(taskId, modelId, inputSha256, submittedAt);
  }

  @Override
  public String toString() {
    return "Task[" + taskId + ", model=" + modelId + ", " + input.length + " bytes, " + name + "]";
  }
}
