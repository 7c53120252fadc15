package dev.minigradient.worker;

import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.SeatReplacement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the tasks a peer is appointed to in a silent seat's place ({@link SeatReplacement}):
 * reads each task record by position ({@link TaskReader}) and answers it as a seated peer does, one
 * at a time, on a thread of its own. An appointment for a model the peer does not serve, for a task
 * older than its max task age, or for a task already called is ignored; a full queue drops it (the
 * seat then escalates).
 */
final class Appointments {
  private static final Logger log = LoggerFactory.getLogger(Appointments.class);
  private static final int REMEMBERED = 10_000;

  private final PeerContext peer;
  private final TaskPipeline pipeline;
  private final BooleanSupplier ready;
  private final ThreadPoolExecutor caller;

  /** Reads appointed tasks by position; used on the {@link #caller} thread only. */
  private final TaskReader taskReader;

  /** Tasks this peer was appointed to, newest last (the network watcher's thread only). */
  private final Set<String> calledTasks =
      Collections.newSetFromMap(
          new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED;
            }
          });

  /**
   * Creates the appointments' thread.
   *
   * @param peer the peer: its settings, the models it serves, whether it runs, the count of tasks
   *     answered, and its clients, which make the task reader's consumer
   * @param pipeline answers the tasks
   * @param ready whether the peer can answer yet (it has the sealing key)
   */
  Appointments(PeerContext peer, TaskPipeline pipeline, BooleanSupplier ready) {
    this.peer = peer;
    this.pipeline = pipeline;
    this.ready = ready;
    this.taskReader =
        new TaskReader(() -> peer.clients().consumer(ClientSettings.taskReader(peer.peerId())));
    this.caller =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(256),
            DaemonThreads.named("peer-" + peer.peerId() + "-called"),
            (r, pool) -> {
              if (!pool.isShutdown()) {
                log.warn("peer {}: too many appointments queued, one dropped", peer.peerId());
              }
            });
  }

  /**
   * Takes an appointment, from the network watcher's thread.
   *
   * @param call the appointment
   */
  void onCall(SeatReplacement call) {
    PeerState state = peer.state();
    if (state.crashed.get()
        || !state.running.get()
        || !ready.getAsBoolean()
        || !peer.models().containsKey(call.modelId())) {
      return; // not answering yet (no sealing key), or not for this peer's models
    }
    if (System.currentTimeMillis() - call.appendTime() > peer.config().maxTaskAgeMs()) {
      log.debug("peer {} ignores its appointment to stale task {}", peer.peerId(), call.taskId());
      return;
    }
    if (calledTasks.add(call.taskId())) {
      caller.execute(() -> answer(call));
    }
  }

  /** Stops taking appointments; those queued are dropped. */
  void shutdownNow() {
    caller.shutdownNow();
  }

  /** Stops, waits (up to 2 s) for the task in hand, then closes the task reader. */
  void close() {
    caller.shutdownNow();
    try {
      if (caller.awaitTermination(2, TimeUnit.SECONDS)) {
        taskReader.close(); // its thread is done with it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads the task an appointment names and answers it as a seated peer does. */
  private void answer(SeatReplacement call) {
    ConsumerRecord<String, byte[]> record = taskReader.read(call.partition(), call.offset());
    if (record == null || peer.state().crashed.get()) {
      return;
    }
    if (!call.taskId().equals(record.key())) {
      log.warn(
          "peer {}: appointment to task {} points at {}-{}@{}, which holds {}",
          peer.peerId(),
          call.taskId(),
          record.topic(),
          record.partition(),
          record.offset(),
          record.key());
      return;
    }
    log.debug(
        "peer {} answers task {} in place of {} (seat {})",
        peer.peerId(),
        call.taskId(),
        call.replacedPeerId(),
        call.seat());
    PollBatch batch = new PollBatch(); // no offsets of its own to commit
    pipeline.answer(record, batch);
    pipeline.flush(); // an appointment is answered now, not with the next poll
    batch.sealed();
    peer.state().callsAnswered.incrementAndGet();
  }
}
