package dev.minigradient.worker;

import dev.minigradient.protocol.TaskPeek;
import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's poll loop: waits for the sealing key and rosters, joins the peer's consumer group on the
 * tasks topic, and hands each task it is seated on to the {@link TaskPipeline}; a task whose
 * committee seats only other peers, or whose model it does not serve, is skipped undecoded ({@link
 * Seating}). A poll's offsets are committed once all its sends are acknowledged ({@link
 * AcknowledgedCommits}), while the next poll is handled. On a revocation or a clean stop it waits
 * for the votes in flight and commits their tasks; a crashed peer commits nothing and stays in the
 * group until its session times out.
 */
final class PollLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

  private final PeerContext peer;
  private final Consumer<String, byte[]> consumer;
  private final NetworkWatcher network;
  private final Seating seating;
  private final TaskPipeline pipeline;
  private final Outbox outbox;
  private final Runnable onStop;
  private final AcknowledgedCommits commits;
  private final AtomicBoolean assigned = new AtomicBoolean(false);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * Creates the loop and its task consumer, which the loop subscribes and closes.
   *
   * @param peer the peer: its settings and clients make the task consumer, its producer (which the
   *     outbox sends with) is flushed before a commit that waits, its state says whether it runs or
   *     crashed and counts the tasks skipped, and its models decide with the rosters which tasks it
   *     answers
   * @param network the sealing key and rosters
   * @param pipeline answers the tasks
   * @param outbox sends the votes
   * @param onStop run once the loop stops, before its consumer closes
   */
  PollLoop(
      PeerContext peer,
      NetworkWatcher network,
      TaskPipeline pipeline,
      Outbox outbox,
      Runnable onStop) {
    this.peer = peer;
    this.consumer = peer.clients().consumer(ClientSettings.tasks(peer.config()));
    this.network = network;
    this.seating = new Seating(network.rosters(), peer.peerId(), peer.models().keySet());
    this.pipeline = pipeline;
    this.outbox = outbox;
    this.onStop = onStop;
    this.commits = new AcknowledgedCommits(consumer, peer.state().crashed::get);
  }

  /**
   * Whether the consumer has joined its group and been given partitions of the tasks topic.
   *
   * @return true once partitions were assigned
   */
  boolean isAssigned() {
    return assigned.get();
  }

  /** Closes the task consumer of a loop that never ran. */
  void closeUnstarted() {
    consumer.close(Duration.ZERO);
  }

  /** Wakes the loop out of its poll and waits (up to 10 s) until it has closed its consumer. */
  void wakeAndAwait() {
    consumer.wakeup();
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    PeerState state = peer.state();
    try {
      awaitNetwork();
      consumer.subscribe(List.of(Topics.TASKS.name()), new Handover());
      while (state.running.get()) {
        ConsumerRecords<String, byte[]> records =
            consumer.poll(Duration.ofMillis(commits.isEmpty() ? 200 : 5));
        commits.commit(false);
        if (records.isEmpty()) {
          continue;
        }
        PollBatch batch = commits.track(records);
        for (ConsumerRecord<String, byte[]> record : records) {
          handle(record, batch);
        }
        outbox.flush(); // the poll's votes leave signed as one batch
        batch.sealed();
        commits.commit(false);
      }
      if (!state.crashed.get()) {
        // a clean stop: the votes in flight are acknowledged, then their offsets committed
        drain();
      }
    } catch (WakeupException e) {
      if (state.running.get()) {
        throw e;
      }
    } catch (Exception e) {
      log.error("peer {} stopped on an unexpected error", peer.peerId(), e);
    } finally {
      onStop.run();
      if (state.crashed.get()) {
        // as a killed process: no leave-group request, the coordinator times the member out
        consumer.close(
            CloseOptions.groupMembershipOperation(GroupMembershipOperation.REMAIN_IN_GROUP)
                .withTimeout(Duration.ZERO));
      } else {
        // leave the group at once, static member or not, so the partitions move on now
        consumer.close(
            CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(5)));
      }
      stopped.countDown();
    }
  }

  /** Waits for the flags the network watcher sets once it has the sealing key and rosters. */
  private void awaitNetwork() throws InterruptedException {
    long waitingSince = System.currentTimeMillis();
    long nextLog = waitingSince + 5_000;
    while (peer.state().running.get() && !network.ready()) {
      if (System.currentTimeMillis() > nextLog) {
        log.warn(
            "peer {}: waiting for {} ({} s)",
            peer.peerId(),
            network.awaiting(),
            (System.currentTimeMillis() - waitingSince) / 1000);
        nextLog += 10_000;
      }
      Thread.sleep(20);
    }
  }

  /** Waits for the votes in flight and commits the offsets of their polls. */
  private void drain() {
    outbox.awaitIdle();
    peer.producer().flush();
    commits.commit(true);
  }

  private void handle(ConsumerRecord<String, byte[]> record, PollBatch batch) {
    if (peer.state().crashed.get()) {
      return; // a crashed peer does nothing more
    }
    TaskPeek peek = Seating.peek(record.key(), record.value()); // null: the full reading says why
    Seating.Decision seat =
        peek == null
            ? Seating.Decision.SERVE
            : seating.decide(peek, record.partition(), record.offset(), record.timestamp());
    if (seat == Seating.Decision.SKIP_UNSEATED) {
      peer.state()
          .skipped
          .incrementAndGet(); // neither decoded nor answered, by honest peers and adversaries alike
      return;
    }
    if (seat == Seating.Decision.SKIP_MODEL) {
      log.debug(
          "peer {} skips task {}: model {} not served",
          peer.peerId(),
          peek.taskId(),
          peek.modelId());
      return;
    }
    pipeline.answer(record, batch);
  }

  /** Hands over only what is answered when partitions move. */
  private final class Handover implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!peer.state().crashed.get()) {
        drain();
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      commits.forget(); // another member owns them now: their offsets are not ours to commit
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // resolve where reading starts now, so a task sent once we report "assigned" is never
      // skipped by a later "latest" reset
      partitions.forEach(consumer::position);
      assigned.set(true);
    }
  }
}
