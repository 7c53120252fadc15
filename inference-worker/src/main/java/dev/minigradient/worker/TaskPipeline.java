package dev.minigradient.worker;

import dev.minigradient.model.RuntimeDescription;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.adversary.Adversary;
import dev.minigradient.worker.adversary.VotingPeer;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one task record a peer serves: decodes and checks the task, asks the peer's {@link
 * Adversary} (honest or not) for the answer, builds the vote and hands it over to be signed, sealed
 * and sent. Input that cannot be decoded gets a rejecting vote and a dead letter; a record that is
 * not a task at all gets only the dead letter. Also the {@link VotingPeer} its adversary sees.
 */
final class TaskPipeline implements VotingPeer {
  private static final Logger log = LoggerFactory.getLogger(TaskPipeline.class);

  private final PeerContext peer;
  private final Adversary adversary;
  private final Outbox outbox;
  private final Runnable crash;
  private final String runtime = RuntimeDescription.current();

  /**
   * Creates the pipeline.
   *
   * @param peer the peer: its settings, whether it runs, the models it serves, and its clients,
   *     which make an adversary's own consumers
   * @param adversary how it answers
   * @param outbox sends votes and dead letters
   * @param crash stops the peer as a killed process, without waiting
   */
  TaskPipeline(PeerContext peer, Adversary adversary, Outbox outbox, Runnable crash) {
    this.peer = peer;
    this.adversary = adversary;
    this.outbox = outbox;
    this.crash = crash;
  }

  /**
   * Reads, checks and answers one task record: a task the peer holds a seat on (or that has no
   * committee), or one it was appointed to. Tasks for models it does not serve, and tasks older
   * than its max task age, are skipped.
   *
   * @param record the task record
   * @param batch the poll whose offsets wait for the sends it causes
   */
  void answer(ConsumerRecord<String, byte[]> record, PollBatch batch) {
    Task task;
    try {
      task = Topics.TASKS.valueSerde().deserializer().deserialize(record.topic(), record.value());
      if (task == null) {
        throw new SerializationException("empty task record");
      }
    } catch (SerializationException e) {
      outbox.deadLetter(record, "malformed-task", e.getMessage(), batch);
      return;
    }
    if (!task.taskId().equals(record.key())) {
      // its votes would be keyed by its id, away from the task the consensus app files it under
      outbox.deadLetter(
          record,
          "key-mismatch",
          "record key " + record.key() + " is not the task id " + task.taskId(),
          batch);
      return;
    }
    ServedModel model = peer.models().get(task.modelId());
    if (model == null) {
      log.debug(
          "peer {} skips task {}: model {} not served",
          peer.peerId(),
          task.taskId(),
          task.modelId());
      return;
    }
    if (System.currentTimeMillis() - record.timestamp() > peer.config().maxTaskAgeMs()) {
      log.debug("peer {} skips stale task {}", peer.peerId(), task.taskId());
      return;
    }
    long start = System.nanoTime();
    ServedModel.Prediction prediction = adversary.answer(task, model);
    if (prediction == null) {
      return; // no vote now
    }
    if (prediction.rejection() != null) {
      outbox.deadLetter(record, prediction.rejection(), prediction.error(), batch);
    }
    Vote vote =
        newVote(
            task, prediction.label(), prediction.rejection(), prediction.probabilities(), start);
    if (!prediction.values().isEmpty()) {
      vote = vote.toBuilder().values(prediction.values()).build();
    }
    adversary.vote(vote, model, outbox.ballot(batch));
  }

  /** Hands the votes answered so far over to be signed, as one batch, and sent. */
  void flush() {
    outbox.flush();
  }

  @Override
  public String peerId() {
    return peer.peerId();
  }

  @Override
  public boolean isRunning() {
    return peer.state().running.get();
  }

  @Override
  public Vote newVote(
      Task task, int label, String rejection, List<Double> probabilities, long startNanos) {
    return Vote.builder()
        .taskId(task.taskId())
        .peerId(peer.peerId())
        .modelId(task.modelId())
        .inputSha256(Hashes.sha256Hex(task.input()))
        .label(label)
        .rejection(rejection)
        .probabilities(probabilities)
        .inferenceMs((System.nanoTime() - startNanos) / 1e6)
        .votedAt(System.currentTimeMillis())
        .runtime(runtime)
        .build();
  }

  @Override
  public void sendDetached(Vote vote) {
    outbox.sendDetached(vote);
  }

  @Override
  public void crash() {
    crash.run();
  }

  @Override
  public Consumer<String, byte[]> observer(String role) {
    return peer.observer(role);
  }
}
