package dev.minigradient.worker;

import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.adversary.Ballot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs, seals and sends a peer's votes, and sends its dead letters. Votes handed to a {@link
 * Ballot}'s {@code send} gather in an open batch until the poll that answered them ends ({@link
 * #flush()}), the batch holds {@link #MAX_BATCH_VOTES} votes, or its first vote has waited {@link
 * #MAX_BATCH_WAIT_NANOS}; then the batch is signed with one signature over its Merkle root ({@link
 * Signatures.Signer#signAll}) and sent from a thread of its own (one, so votes leave in the order
 * they were answered), overlapping the next tasks' decoding and inference; a full queue makes the
 * caller send. A poll of one task is a batch of one: at light load a vote waits for nothing.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  private final PeerContext peer;

  /** The most votes signed under one root. */
  static final int MAX_BATCH_VOTES = 64;

  /** How long the first vote of an open batch may wait for the poll to end: 20 ms. */
  static final long MAX_BATCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final Signatures.Signer signer;
  private final Supplier<Sealing.Sealer> sealer;
  private final ThreadPoolExecutor thread;
  private final long maxBatchWaitNanos;

  /** Votes answered but not yet handed to the thread, with what each send completes. */
  private List<Queued> open = new ArrayList<>(); // guarded by this

  private long openedAt; // guarded by this

  /**
   * Batches handed to the thread and not yet sent: counted from before the hand-over to after the
   * send, so {@link #awaitIdle} never sees a batch between the queue and the thread as idle.
   */
  private final AtomicInteger inHand = new AtomicInteger();

  private record Queued(Vote vote, Callback callback) {}

  /**
   * Creates the outbox and its thread.
   *
   * @param peer the peer: its producer sends every record (not closed here), its state counts what
   *     is sent, and nothing more leaves the outbox's thread once it crashed
   * @param signer signs votes, alone or in batches, with the peer's key
   * @param sealer the current sealer to the consensus app's key
   */
  Outbox(PeerContext peer, Signatures.Signer signer, Supplier<Sealing.Sealer> sealer) {
    this(peer, signer, sealer, MAX_BATCH_WAIT_NANOS);
  }

  /**
   * Creates the outbox and its thread, with another limit on how long a batch stays open.
   *
   * @param maxBatchWaitNanos how long the first vote of an open batch may wait, ns
   */
  Outbox(
      PeerContext peer,
      Signatures.Signer signer,
      Supplier<Sealing.Sealer> sealer,
      long maxBatchWaitNanos) {
    this.peer = peer;
    this.signer = signer;
    this.sealer = sealer;
    this.maxBatchWaitNanos = maxBatchWaitNanos;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(256),
            DaemonThreads.named("peer-" + peer.peerId() + "-outbox"),
            new ThreadPoolExecutor.CallerRunsPolicy());
  }

  /**
   * The ballot of one task. What its {@code send} hands over waits in the open batch until {@link
   * #flush()}, which the thread that answered the task calls when its work is done.
   *
   * @param batch the poll whose offsets wait for the task's sends
   * @return sends that {@code batch} expects
   */
  Ballot ballot(PollBatch batch) {
    return new Ballot() {
      @Override
      public void send(Vote vote) {
        boolean due;
        synchronized (Outbox.this) {
          if (open.isEmpty()) {
            openedAt = System.nanoTime();
          }
          open.add(new Queued(vote, batch.expect()));
          due = open.size() >= MAX_BATCH_VOTES || System.nanoTime() - openedAt >= maxBatchWaitNanos;
        }
        if (due) {
          flush();
        }
      }

      @Override
      public void sendNow(Vote vote) {
        sendCounted(vote, batch.expect());
      }
    };
  }

  /**
   * Hands the open batch to the outbox's thread to be signed and sent. Called at the end of each
   * poll, after an appointed task, and before waiting for the outbox to be idle.
   */
  void flush() {
    List<Queued> votes;
    synchronized (this) {
      if (open.isEmpty()) {
        return;
      }
      votes = open;
      open = new ArrayList<>();
    }
    inHand.incrementAndGet();
    thread.execute(
        () -> {
          try {
            if (!peer.state().crashed.get()) {
              sendBatch(votes);
            }
          } finally {
            inHand.decrementAndGet();
          }
        });
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
        peer.peerId(),
        reason,
        record.topic(),
        record.partition(),
        record.offset(),
        error);
    peer.state().deadLetters.incrementAndGet();
    peer.producer()
        .send(
            DeadLetters.of(record, "inference-worker/" + peer.peerId(), reason, error),
            batch == null ? null : batch.expect());
  }

  /**
   * Hands over the open batch, then waits (up to 30 s) until the outbox's thread has sent every
   * vote handed to it. Called from the poll loop's thread.
   */
  void awaitIdle() {
    flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (inHand.get() > 0 && System.nanoTime() < deadline) {
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

  /** Signs a batch under one root, then seals and sends each vote; a failure fails every send. */
  private void sendBatch(List<Queued> votes) {
    List<Vote> signed;
    try {
      signed = signer.signAll(votes.stream().map(Queued::vote).toList());
    } catch (RuntimeException e) {
      votes.forEach(q -> q.callback().onCompletion(null, e));
      return;
    }
    for (int i = 0; i < signed.size(); i++) {
      sendSigned(signed.get(i), votes.get(i).callback());
    }
  }

  /** Signs a vote alone, seals and sends it; a failure completes {@code callback} with it. */
  private void sendCounted(Vote vote, Callback callback) {
    Vote signed;
    try {
      signed = signer.apply(vote);
    } catch (RuntimeException e) {
      if (callback == null) {
        throw e;
      }
      callback.onCompletion(null, e);
      return;
    }
    sendSigned(signed, callback);
  }

  /** Seals and sends a signed vote; a failure completes {@code callback} with it. */
  private void sendSigned(Vote signed, Callback callback) {
    try {
      Vote sealed = sealer.get().seal(signed);
      peer.producer()
          .send(
              new ProducerRecord<>(
                  Topics.VOTES.name(),
                  signed.taskId(),
                  Topics.VOTES.valueSerde().serializer().serialize(Topics.VOTES.name(), sealed)),
              callback);
      PeerState state = peer.state();
      (signed.peerId().equals(peer.peerId()) ? state.votes : state.forgedVotes).incrementAndGet();
    } catch (RuntimeException e) {
      if (callback == null) {
        throw e;
      }
      callback.onCompletion(null, e);
    }
  }
}
