package dev.minigradient.worker;

import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.adversary.Ballot;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs, seals and sends a peer's votes, and sends its dead letters. Votes handed to a {@link
 * Ballot}'s {@code send} leave from a thread of its own (one, so they leave in the order they were
 * answered), overlapping the next task's decoding and inference; a full queue makes the caller
 * send.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  private final String peerId;
  private final Producer<String, byte[]> producer;
  private final UnaryOperator<Vote> signer;
  private final Supplier<Sealing.Sealer> sealer;
  private final PeerState state;
  private final ThreadPoolExecutor thread;

  /**
   * Creates the outbox and its thread.
   *
   * @param peerId the peer
   * @param producer sends every record (not closed here)
   * @param signer signs a vote with the peer's key
   * @param sealer the current sealer to the consensus app's key
   * @param state counts what is sent; nothing more leaves the outbox's thread once it crashed
   */
  Outbox(
      String peerId,
      Producer<String, byte[]> producer,
      UnaryOperator<Vote> signer,
      Supplier<Sealing.Sealer> sealer,
      PeerState state) {
    this.peerId = peerId;
    this.producer = producer;
    this.signer = signer;
    this.sealer = sealer;
    this.state = state;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(256),
            DaemonThreads.named("peer-" + peerId + "-outbox"),
            new ThreadPoolExecutor.CallerRunsPolicy());
  }

  /**
   * The ballot of one task.
   *
   * @param batch the poll whose offsets wait for the task's sends
   * @return sends that {@code batch} expects
   */
  Ballot ballot(PollBatch batch) {
    return new Ballot() {
      @Override
      public void send(Vote vote) {
        PollBatch pending = batch.expect();
        thread.execute(
            () -> {
              if (!state.crashed.get()) {
                sendCounted(vote, pending);
              }
            });
      }

      @Override
      public void sendNow(Vote vote) {
        sendCounted(vote, batch.expect());
      }
    };
  }

  /**
   * Signs, seals and sends a vote on the calling thread, with no offset waiting for it.
   *
   * @param vote the unsigned vote
   */
  void sendDetached(Vote vote) {
    sendCounted(vote, null);
  }

  /**
   * Sends a dead letter for a record.
   *
   * @param record the record
   * @param reason the reason code
   * @param error the message
   * @param batch the poll whose offsets wait for it, or null
   */
  void deadLetter(
      ConsumerRecord<String, byte[]> record, String reason, String error, PollBatch batch) {
    log.warn(
        "peer {}: {} at {}-{}@{}: {}",
        peerId,
        reason,
        record.topic(),
        record.partition(),
        record.offset(),
        error);
    state.deadLetters.incrementAndGet();
    producer.send(
        DeadLetters.of(record, "inference-worker/" + peerId, reason, error),
        batch == null ? null : batch.expect());
  }

  /** Waits (up to 30 s) until the outbox's thread has sent every vote handed to it. */
  void awaitIdle() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while ((thread.getActiveCount() > 0 || !thread.getQueue().isEmpty())
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops the outbox's thread; votes still queued are dropped. */
  void shutdownNow() {
    thread.shutdownNow();
  }

  /** Signs, seals and sends a vote; a failure completes {@code callback} with it. */
  private void sendCounted(Vote vote, Callback callback) {
    try {
      Vote signed = signer.apply(vote);
      Vote sealed = sealer.get().seal(signed);
      producer.send(
          new ProducerRecord<>(
              Topics.VOTES.name(),
              signed.taskId(),
              Topics.VOTES.valueSerde().serializer().serialize(Topics.VOTES.name(), sealed)),
          callback);
      (signed.peerId().equals(peerId) ? state.votes : state.forgedVotes).incrementAndGet();
    } catch (RuntimeException e) {
      if (callback == null) {
        throw e;
      }
      callback.onCompletion(null, e);
    }
  }
}
