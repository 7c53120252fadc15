package dev.minigradient.protocol;

import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Objects;

/**
 * The consensus app's appointment of a replacement to one seat of a task's committee, published to
 * {@link Topics#REPLACEMENTS} keyed by {@code taskId} when the seat's holder has not voted by the
 * seat timeout. The appointed peer is the seat's next-ranked candidate ({@link
 * Committee#replacement}); it reads the task record at {@code partition} and {@code offset} of
 * {@link Topics#TASKS} and answers it as a seated peer does. The replaced holder keeps its seat for
 * judging: {@code MISSED} without a vote, {@code LATE} (unpaid) for an agreeing one.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param taskId the task
 * @param modelId the task's model, so a peer that does not serve it need not read the task
 * @param partition the task record's partition of {@code inference.tasks}
 * @param offset its offset
 * @param appendTime its timestamp (the broker's append time), epoch ms: with the partition and
 *     offset, what the committee's seed is made of ({@link Committee#seed})
 * @param seat the seat's index in the committee, from 0
 * @param replacedPeerId the seat's holder, silent at the seat timeout
 * @param peerId the peer appointed to the seat
 * @param appointedAt when the consensus app appointed it, epoch ms (its wall clock)
 */
@RecordBuilder
public record SeatReplacement(
    int schemaVersion,
    String taskId,
    String modelId,
    int partition,
    long offset,
    long appendTime,
    int seat,
    String replacedPeerId,
    String peerId,
    long appointedAt) {

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * Validates the identifying fields.
   *
   * @throws NullPointerException if the task id, model id or either peer id is null
   * @throws IllegalArgumentException if the partition, offset or seat is negative
   */
  public SeatReplacement {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(replacedPeerId, "replacedPeerId");
    Objects.requireNonNull(peerId, "peerId");
    if (partition < 0 || offset < 0 || seat < 0) {
      throw new IllegalArgumentException(
          "partition, offset and seat must be >= 0, got "
              + partition
              + ", "
              + offset
              + ", "
              + seat);
    }
  }

  /**
   * A builder holding this appointment's components, for a copy that differs in some of them.
   *
   * @return a new builder
   */
  public SeatReplacementBuilder toBuilder() {
    return SeatReplacementBuilder.builder(this);
  }
}
