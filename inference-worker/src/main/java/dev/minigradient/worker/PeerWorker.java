package dev.minigradient.worker;

import dev.minigradient.model.InferenceEngine;
import dev.minigradient.model.Preprocessing;
import dev.minigradient.model.RuntimeDescription;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TaskPeek;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer of the network: reads every task (its own consumer group, {@code peer-<id>}), decodes
 * and preprocesses the image, runs the model, and publishes a signed {@link Vote}; registers on
 * {@link Topics#PEERS} and keeps a heartbeat there.
 *
 * <p>Committees: the peer follows {@code network.rosters} ({@link NetworkWatcher}) and, before it
 * decodes a task, peeks at its model and redundancy ({@link TaskPeek}); a task whose committee
 * seats only other peers, or whose model it does not serve, is skipped undecoded ({@link
 * Seating}). Simulated adversaries follow the same rule. A peer appointed to a silent seat's
 * place ({@link SeatReplacement} on {@code inference.replacements}, which the {@link
 * NetworkWatcher} follows) reads that task record by position ({@link TaskReader}) on a thread of
 * its own and answers it as a seated peer does, adversaries included; an appointment for a model
 * it does not serve, for a task older than its max task age, or for a task already answered on an
 * appointment is ignored. Each vote carries {@link RuntimeDescription#current()}.
 *
 * <p>Delivery is at-least-once: a poll's task offsets are committed only once the broker has
 * acknowledged every vote and dead letter the poll caused, so a crash may re-send a vote, which
 * the consensus counts once per (task, peer). The acknowledgements are not awaited in line: the
 * next poll is handled while the previous one's votes are in flight, and its offsets are
 * committed (asynchronously) when they are all acknowledged. Signing, sealing and sending run on
 * a second thread, so they overlap the decoding and inference of the next task. Input that cannot
 * be decoded gets a rejecting vote (label {@link Vote#REJECTED} with the reason) and a {@link
 * DeadLetters dead letter}; a record that is not a task at all gets only the dead letter.
 */
public final class PeerWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerWorker.class);

  /**
   * The vote producer's {@code linger.ms}: votes are no longer flushed per poll, so a linger
   * would delay every vote by its length at light load; under load, votes queued while a request
   * is in flight still leave in one batch.
   */
  public static final int LINGER_MS = 0;

  private final WorkerConfig config;
  private final Map<String, ServedModel> models = new java.util.LinkedHashMap<>();
  private final KeyPair keys;
  private final java.util.function.UnaryOperator<Vote> signer;
  private final PeerClients clients;
  private final Consumer<String, byte[]> consumer;
  private final Producer<String, byte[]> producer;
  private final ScheduledExecutorService heartbeat;
  /**
   * Signs, seals and sends the votes of the poll thread's answers on a thread of its own (one, so
   * votes leave in the order they were answered); a full queue makes the poll thread do it.
   */
  private final java.util.concurrent.ThreadPoolExecutor outbox;
  private final AtomicBoolean running = new AtomicBoolean(false);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong votes = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicLong forgedVotes = new AtomicLong();
  private final AtomicLong callsAnswered = new AtomicLong();
  /**
   * Reads and answers the tasks this peer is appointed to ({@link #onCall}), one at a time, off
   * the poll loops; a full queue drops the appointment (the seat then escalates).
   */
  private final ThreadPoolExecutor caller;
  /** Reads appointed tasks by position; used on the {@link #caller} thread only. */
  private final TaskReader taskReader;
  /** Tasks this peer was appointed to, newest last (the network watcher's thread only). */
  private final Set<String> calledTasks =
      Collections.newSetFromMap(
          new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > 10_000;
            }
          });
  private final AtomicBoolean assigned = new AtomicBoolean(false);
  private final Behavior behavior;
  private final java.util.Random random = new java.util.Random();
  private final AtomicBoolean crashed = new AtomicBoolean(false);
  /** A copycat's memory of recent tasks, by id, and of the tasks it already answered. */
  private final Map<String, Task> recentTasks =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
              return size() > 10_000;
            }
          });
  private final java.util.Set<String> copied = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService delayed;
  /** The sealing key and the rosters, from {@code network.keys} and {@code network.rosters}. */
  private final NetworkWatcher network;
  private final Seating seating;
  private final String runtime = RuntimeDescription.current();
  private Thread networkWatcher;
  private Thread copier;
  private Thread thread;
  /** Polls handled whose sends are not all acknowledged yet, oldest first (poll thread only). */
  private final java.util.ArrayDeque<PollBatch> unacked = new java.util.ArrayDeque<>();

  /**
   * Creates an unstarted peer serving one digit model with MNIST preprocessing.
   *
   * @param config the peer's settings
   * @param engine the model runner (not closed by this worker)
   */
  public PeerWorker(WorkerConfig config, InferenceEngine engine) {
    this(
        config,
        List.of(
            new ServedModel(
                "mnist", engine, Preprocessing.named("mnist-digit", config.maxPixels()), List.of())));
  }

  /**
   * Creates an unstarted peer.
   *
   * @param config the peer's settings
   * @param served the models it serves (their engines are not closed by this worker)
   * @throws IllegalArgumentException if {@code served} is empty
   */
  public PeerWorker(WorkerConfig config, List<ServedModel> served) {
    this(config, served, Signatures.generateKeyPair());
  }

  /**
   * Creates an unstarted peer that signs with a given key pair.
   *
   * @param config the peer's settings
   * @param served the models it serves (their engines are not closed by this worker)
   * @param keys the peer's Ed25519 key pair, the same for every instance of the peer id
   * @throws IllegalArgumentException if {@code served} is empty
   */
  public PeerWorker(WorkerConfig config, List<ServedModel> served, KeyPair keys) {
    this(config, served, keys, Behavior.honest());
  }

  /**
   * Creates an unstarted peer with a given behaviour (honest, or a simulated adversary).
   *
   * @param config the peer's settings
   * @param served the models it serves (their engines are not closed by this worker)
   * @param keys the peer's Ed25519 key pair, the same for every instance of the peer id
   * @param behavior how it answers tasks
   * @throws IllegalArgumentException if {@code served} is empty
   */
  public PeerWorker(WorkerConfig config, List<ServedModel> served, KeyPair keys, Behavior behavior) {
    this(config, served, keys, behavior, PeerClients.kafka(config.kafka()));
  }

  /**
   * Creates an unstarted peer on given Kafka clients (tests pass mock clients).
   *
   * @param config the peer's settings
   * @param served the models it serves (their engines are not closed by this worker)
   * @param keys the peer's Ed25519 key pair
   * @param behavior how it answers tasks
   * @param clients makes its consumers and its producer
   * @throws IllegalArgumentException if {@code served} is empty
   */
  PeerWorker(WorkerConfig config, List<ServedModel> served, KeyPair keys, Behavior behavior, PeerClients clients) {
    this.clients = clients;
    this.behavior = java.util.Objects.requireNonNull(behavior, "behavior");
    if (served.isEmpty()) {
      throw new IllegalArgumentException("a peer serves at least one model");
    }
    this.config = config;
    served.forEach(m -> models.put(m.modelId(), m));
    this.keys = keys;
    this.signer = Signatures.signer(keys.getPrivate());
    Map<String, Object> staticMember =
        config.instanceId() == null ? Map.of() : Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
    this.consumer =
        clients.consumer(
            merge(staticMember, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, Topics.PEER_GROUP_PREFIX + config.peerId(),
                ConsumerConfig.CLIENT_ID_CONFIG, "peer-" + config.peerId() + "-tasks",
                // a new peer answers tasks from now on: older ones are decided or stale
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // bounded polls: 100 tasks of at most a few ms each (images over the
                // pixel limit are refused before decoding), far inside the poll interval
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100",
                // a peer stuck for a minute leaves the group, so its partitions move on
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "60000",
                // a killed instance's partitions go to a restarted or second instance
                // after 10 s of silence, not the default 45 s (the broker's floor is 6 s)
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000")));
    this.producer =
        clients.producer(
            Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "peer-" + config.peerId() + "-votes",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, Integer.toString(LINGER_MS)));
    this.network =
        new NetworkWatcher(
            config.peerId(),
            () -> clients.consumer(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "peer-" + config.peerId() + "-network",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
            config.maxTaskAgeMs(),
            running::get,
            (r, reason, message) -> deadLetter(r, reason, message, null),
            this::onCall);
    this.seating = new Seating(network.rosters(), config.peerId(), models.keySet());
    this.taskReader =
        new TaskReader(() -> clients.consumer(Map.of(
            ConsumerConfig.CLIENT_ID_CONFIG, "peer-" + config.peerId() + "-task-reader",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1")));
    this.caller =
        new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256),
            r -> daemon(r, "peer-" + config.peerId() + "-called"),
            (r, pool) -> {
              if (!pool.isShutdown()) {
                log.warn("peer {}: too many appointments queued, one dropped", config.peerId());
              }
            });
    this.outbox =
        new java.util.concurrent.ThreadPoolExecutor(
            1, 1, 0, TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(256),
            r -> daemon(r, "peer-" + config.peerId() + "-outbox"),
            new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "peer-" + config.peerId() + "-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /** Registers the peer and starts its poll loop and heartbeat on their own threads. */
  public void start() {
    if (!running.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    publishPeer(false);
    heartbeat.scheduleAtFixedRate(
        () -> publishPeer(false),
        config.heartbeatIntervalMs(),
        config.heartbeatIntervalMs(),
        TimeUnit.MILLISECONDS);
    if (behavior.kind() == Behavior.Kind.SLOW) {
      delayed = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "peer-" + config.peerId() + "-delayed"));
    }
    if (behavior.kind() == Behavior.Kind.COPYCAT) {
      copier = daemon(this::copyLoop, "peer-" + config.peerId() + "-copier");
      copier.start();
    }
    networkWatcher = daemon(network, "peer-" + config.peerId() + "-network");
    networkWatcher.start();
    thread = new Thread(this::run, "peer-" + config.peerId());
    thread.start();
    log.info("peer {} ({}) serving models {} started", config.peerId(), behavior, models.keySet());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * The peer's behaviour.
   *
   * @return honest or a simulated adversary
   */
  public Behavior behavior() {
    return behavior;
  }

  private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
    Map<String, Object> m = new java.util.HashMap<>(b);
    m.putAll(a);
    return m;
  }

  /**
   * Whether a {@link Behavior.Kind#CRASH} peer has stopped, or {@link #crash()} was called.
   *
   * @return true once it crashed
   */
  public boolean hasCrashed() {
    return crashed.get();
  }

  /**
   * Stops the peer the way a killed process stops, for fault tests: no more votes or heartbeats,
   * no leaving record, the offsets of the poll in hand not committed, and its consumer stays in
   * the group until the group coordinator's session timeout expires. A new {@code PeerWorker}
   * with the same peer id and key takes over from the last committed offsets.
   */
  public void crash() {
    if (crashed.compareAndSet(false, true)) {
      log.warn("peer {} crashes (simulated kill)", config.peerId());
      heartbeat.shutdownNow();
      outbox.shutdownNow();
      caller.shutdownNow();
      running.set(false);
      if (thread != null) {
        awaitPollLoop();
      }
    }
  }

  /** Wakes the poll loop out of its poll and waits (up to 10 s) until it has closed its consumer. */
  private void awaitPollLoop() {
    consumer.wakeup();
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The peer's id.
   *
   * @return the id
   */
  public String peerId() {
    return config.peerId();
  }

  /**
   * Whether this instance has joined its consumer group and been given partitions of the tasks
   * topic (an instance beyond the partition count never is).
   *
   * @return true once partitions were assigned
   */
  public boolean isAssigned() {
    return assigned.get();
  }

  /**
   * The roster this peer has read for a time: the one it draws committees from for a task
   * appended then.
   *
   * @param at a task's append time, epoch ms
   * @return the roster, or null when it has read none that early
   */
  public Roster rosterAt(long at) {
    return network.rosters().at(at);
  }

  /**
   * Votes published so far (including rejecting votes).
   *
   * @return the count
   */
  public long votesPublished() {
    return votes.get();
  }

  /**
   * Votes a {@link Behavior.Kind#FORGER} peer published in other peers' names so far.
   *
   * @return the count
   */
  public long forgedVotesPublished() {
    return forgedVotes.get();
  }

  /**
   * Tasks skipped undecoded because their committee seats only other peers ({@link
   * Seating.Decision#SKIP_UNSEATED}).
   *
   * @return the count
   */
  public long tasksSkipped() {
    return skipped.get();
  }

  /**
   * Tasks answered on an appointment to a silent seat's place ({@link SeatReplacement}).
   *
   * @return the count
   */
  public long callsAnswered() {
    return callsAnswered.get();
  }

  /**
   * Dead letters published so far.
   *
   * @return the count
   */
  public long deadLettersPublished() {
    return deadLetters.get();
  }

  private void run() {
    try {
      long waitingSince = System.currentTimeMillis();
      long nextLog = waitingSince + 5_000;
      while (running.get() && !network.ready()) {
        if (System.currentTimeMillis() > nextLog) {
          log.warn("peer {}: waiting for {} ({} s)",
              config.peerId(), network.awaiting(), (System.currentTimeMillis() - waitingSince) / 1000);
          nextLog += 10_000;
        }
        Thread.sleep(20); // polling flags the network watcher sets
      }
      consumer.subscribe(
          List.of(Topics.TASKS.name()),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              // hand over only what is answered: wait for the votes in flight, commit their tasks
              if (!crashed.get()) {
                awaitOutbox();
                producer.flush();
                commitAcknowledged(true);
              }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
              unacked.clear(); // another member owns them now: their offsets are not ours to commit
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              // resolve where reading starts now, so a task sent once we report "assigned" is
              // never skipped by a later "latest" reset
              partitions.forEach(consumer::position);
              assigned.set(true);
            }
          });
      while (running.get()) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(unacked.isEmpty() ? 200 : 5));
        commitAcknowledged(false);
        if (records.isEmpty()) {
          continue;
        }
        PollBatch batch = new PollBatch(records);
        unacked.addLast(batch);
        for (ConsumerRecord<String, byte[]> record : records) {
          handle(record, batch);
        }
        batch.sealed();
        commitAcknowledged(false);
      }
      if (!crashed.get()) {
        // a clean stop: the votes in flight are acknowledged, then their offsets committed
        awaitOutbox();
        producer.flush();
        commitAcknowledged(true);
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (Exception e) {
      log.error("peer {} stopped on an unexpected error", config.peerId(), e);
    } finally {
      // a peer that no longer votes must not stay eligible: stop beating and say so (unless it
      // simulates a crash, which says nothing)
      heartbeat.shutdownNow();
      outbox.shutdownNow();
      caller.shutdownNow();
      if (running.getAndSet(false) && !crashed.get()) {
        publishPeer(true);
      }
      if (crashed.get()) {
        // as a killed process: no leave-group request, the coordinator times the member out
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.groupMembershipOperation(
            org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP).withTimeout(Duration.ZERO));
      } else {
        // leave the group at once, static member or not, so the partitions move on now
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.groupMembershipOperation(
            org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(5)));
      }
      stopped.countDown();
    }
  }

  /** Waits (up to 30 s) until the outbox has sent every vote handed to it. */
  private void awaitOutbox() {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while ((outbox.getActiveCount() > 0 || !outbox.getQueue().isEmpty()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Commits the offsets of the leading polls whose every vote and dead letter the broker has
   * acknowledged, oldest first, so a committed task offset always follows its acknowledged vote
   * (at-least-once) while the next poll's work overlaps the acknowledgements of the previous.
   *
   * @param sync commit synchronously (on a rebalance or a clean stop) rather than asynchronously
   * @throws IllegalStateException if a send of an acknowledged poll failed (the peer stops, and
   *     the poll's tasks are read again by the next instance)
   */
  private void commitAcknowledged(boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>();
    while (!unacked.isEmpty() && unacked.peekFirst().isAcknowledged()) {
      PollBatch done = unacked.pollFirst();
      if (done.failure.get() != null) {
        throw new IllegalStateException("a vote or dead letter was not acknowledged: " + done.failure.get(), done.failure.get());
      }
      offsets.putAll(done.offsets);
    }
    if (offsets.isEmpty() || crashed.get()) {
      return;
    }
    if (sync) {
      consumer.commitSync(offsets);
    } else {
      consumer.commitAsync(offsets, (committed, e) -> {
        if (e != null) {
          // a later commit carries higher offsets; if none comes, the tasks are answered again
          log.warn("peer {}: offset commit failed: {}", config.peerId(), e.toString());
        }
      });
    }
  }

  /**
   * The records of one poll: the offsets to commit once every send they caused is acknowledged.
   * Counts one extra pending send until {@link #sealed()}, so it cannot complete while its
   * records are still being handled.
   */
  private static final class PollBatch implements org.apache.kafka.clients.producer.Callback {
    final Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>();
    final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger(1);
    final java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();

    /** A batch without offsets: the sends of an appointed task, which no poll waits for. */
    PollBatch() {}

    PollBatch(ConsumerRecords<String, byte[]> records) {
      for (TopicPartition tp : records.partitions()) {
        List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
        offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
      }
    }

    /** Registers one more send; pass the batch as its callback. Returns this batch. */
    PollBatch expect() {
      pending.incrementAndGet();
      return this;
    }

    void sealed() {
      pending.decrementAndGet();
    }

    boolean isAcknowledged() {
      return pending.get() == 0;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception e) {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
      pending.decrementAndGet();
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record, PollBatch batch) {
    if (crashed.get()) {
      return; // a crashed peer does nothing more
    }
    TaskPeek peek = Seating.peek(record.key(), record.value()); // null: the full reading says why
    Seating.Decision seat =
        peek == null ? Seating.Decision.SERVE : seating.decide(peek, record.partition(), record.offset(), record.timestamp());
    if (seat == Seating.Decision.SKIP_UNSEATED) {
      skipped.incrementAndGet(); // neither decoded nor answered, by honest peers and adversaries alike
      return;
    }
    if (seat == Seating.Decision.SKIP_MODEL) {
      log.debug("peer {} skips task {}: model {} not served", config.peerId(), peek.taskId(), peek.modelId());
      return;
    }
    answer(record, batch);
  }

  /**
   * An appointment to a silent seat's place, from the network watcher's thread: hands it to the
   * {@link #caller} unless it is for a model this peer does not serve, for a task older than the
   * max task age, or for a task already called.
   */
  private void onCall(SeatReplacement call) {
    if (crashed.get() || !running.get() || !network.ready() || !models.containsKey(call.modelId())) {
      return; // not answering yet (no sealing key), or not for this peer's models
    }
    if (System.currentTimeMillis() - call.appendTime() > config.maxTaskAgeMs()) {
      log.debug("peer {} ignores its appointment to stale task {}", config.peerId(), call.taskId());
      return;
    }
    if (calledTasks.add(call.taskId())) {
      caller.execute(() -> answerCall(call));
    }
  }

  /** Reads the task an appointment names and answers it as a seated peer does. */
  private void answerCall(SeatReplacement call) {
    ConsumerRecord<String, byte[]> record = taskReader.read(call.partition(), call.offset());
    if (record == null || crashed.get()) {
      return;
    }
    if (!call.taskId().equals(record.key())) {
      log.warn("peer {}: appointment to task {} points at {}-{}@{}, which holds {}",
          config.peerId(), call.taskId(), record.topic(), record.partition(), record.offset(), record.key());
      return;
    }
    log.debug("peer {} answers task {} in place of {} (seat {})", config.peerId(), call.taskId(), call.replacedPeerId(), call.seat());
    PollBatch batch = new PollBatch(); // no offsets of its own to commit
    answer(record, batch);
    batch.sealed();
    callsAnswered.incrementAndGet();
  }

  /**
   * Reads, checks, runs, signs, seals and sends one task the peer serves: a task it holds a seat
   * on (or that has no committee), or one it was appointed to. Adversaries answer here as they
   * are.
   */
  private void answer(ConsumerRecord<String, byte[]> record, PollBatch batch) {
    Task task;
    try {
      task = Topics.TASKS.valueSerde().deserializer().deserialize(record.topic(), record.value());
      if (task == null) {
        throw new SerializationException("empty task record");
      }
    } catch (SerializationException e) {
      deadLetter(record, "malformed-task", e.getMessage(), batch);
      return;
    }
    if (!task.taskId().equals(record.key())) {
      // its votes would be keyed by its id, away from the task the consensus app files it under
      deadLetter(record, "key-mismatch", "record key " + record.key() + " is not the task id " + task.taskId(), batch);
      return;
    }
    ServedModel model = models.get(task.modelId());
    if (model == null) {
      log.debug("peer {} skips task {}: model {} not served", config.peerId(), task.taskId(), task.modelId());
      return;
    }
    if (System.currentTimeMillis() - record.timestamp() > config.maxTaskAgeMs()) {
      log.debug("peer {} skips stale task {}", config.peerId(), task.taskId());
      return;
    }
    if (behavior.kind() == Behavior.Kind.COPYCAT) {
      recentTasks.put(task.taskId(), task); // answered by the copier, from what others vote
      return;
    }
    long start = System.nanoTime();
    int classes = model.labels().isEmpty() ? 10 : model.labels().size();
    ServedModel.Prediction prediction =
        switch (behavior.kind()) {
          case RANDOM -> MadeUpAnswers.random(random, classes);
          case CONSTANT -> MadeUpAnswers.peaked(behavior.constantLabel(), classes);
          case LAZY -> MadeUpAnswers.lazy(task.input(), classes);
          default -> model.infer(task.input());
        };
    if (prediction.rejection() != null) {
      deadLetter(record, prediction.rejection(), prediction.error(), batch);
    }
    Vote vote = newVote(task, model, prediction.label(), prediction.rejection(), prediction.probabilities(), start);
    if (behavior.kind() != Behavior.Kind.SLOW && behavior.kind() != Behavior.Kind.FORGER && behavior.kind() != Behavior.Kind.CRASH) {
      // signing, sealing and sending overlap the next task's decoding and inference
      PollBatch pending = batch.expect();
      outbox.execute(() -> {
        if (crashed.get()) {
          return;
        }
        try {
          sendVote(signer.apply(vote), pending);
          votes.incrementAndGet();
        } catch (RuntimeException e) {
          pending.onCompletion(null, e);
        }
      });
      return;
    }
    Vote signed = signer.apply(vote);
    votes.incrementAndGet();
    if (behavior.kind() == Behavior.Kind.SLOW) {
      delayed.schedule(() -> sendVote(signed, null), behavior.delayMs(), TimeUnit.MILLISECONDS);
      return;
    }
    sendVote(signed, batch.expect());
    if (behavior.kind() == Behavior.Kind.FORGER) {
      for (String victim : behavior.forgeAs()) {
        if (!victim.equals(config.peerId()) && prediction.label() >= 0) {
          // a wrong label in the victim's name, signed with this peer's own key
          Vote forged = newVote(task, model, (prediction.label() + 1) % classes, null, prediction.probabilities(), start);
          forged = new Vote(forged.schemaVersion(), forged.taskId(), victim, forged.modelId(), forged.inputSha256(),
              forged.label(), null, forged.probabilities(), forged.inferenceMs(), forged.votedAt(), null);
          sendVote(signer.apply(forged), batch.expect());
          forgedVotes.incrementAndGet();
        }
      }
    }
    if (behavior.kind() == Behavior.Kind.CRASH && votes.get() >= behavior.crashAfter() && crashed.compareAndSet(false, true)) {
      log.warn("peer {} crashes (simulated) after {} votes", config.peerId(), votes.get());
      heartbeat.shutdownNow();
      running.set(false);
    }
  }

  /**
   * Seals a signed vote to the consensus app's key and sends it.
   *
   * @param batch the poll whose offsets wait for this send's acknowledgement, already counting it
   *     ({@link PollBatch#expect()}), or null for a vote no task offset depends on (delayed or
   *     copied)
   */
  private void sendVote(Vote signed, PollBatch batch) {
    Vote sealed = network.sealer().seal(signed);
    producer.send(
        new ProducerRecord<>(
            Topics.VOTES.name(),
            signed.taskId(),
            Topics.VOTES.valueSerde().serializer().serialize(Topics.VOTES.name(), sealed)),
        batch);
  }

  /**
   * A copycat's second loop: reads the votes and decisions others publish and repeats them as
   * its own, for tasks it has seen, without running anything.
   */
  private void copyLoop() {
    Map<String, Object> props = new java.util.HashMap<>();
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "peer-" + config.peerId() + "-copier");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (Consumer<String, byte[]> c = clients.consumer(props)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : List.of(Topics.VOTES.name(), Topics.CONSENSUS.name())) {
        c.partitionsFor(topic).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
      }
      c.assign(parts);
      c.seekToEnd(parts);
      parts.forEach(c::position);
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          try {
            if (r.topic().equals(Topics.VOTES.name())) {
              Vote v = Topics.VOTES.valueSerde().deserializer().deserialize(r.topic(), r.value());
              if (v != null && !v.peerId().equals(config.peerId()) && v.isReadable()) {
                copy(v.taskId(), v.label(), v.rejection(), v.probabilities());
              }
            } else {
              var k = Topics.CONSENSUS.valueSerde().deserializer().deserialize(r.topic(), r.value());
              if (k != null && k.label() != null) {
                copy(k.taskId(), k.label(), null, MadeUpAnswers.peaked(k.label(), 10).probabilities());
              }
            }
          } catch (SerializationException e) {
            // not ours to judge
          }
        }
      }
    } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("peer {}: copier stopped", config.peerId(), e);
    }
  }

  private void copy(String taskId, int label, String rejection, List<Double> probabilities) {
    Task task = recentTasks.get(taskId);
    if (task == null || !copied.add(taskId)) {
      return;
    }
    ServedModel model = models.get(task.modelId());
    sendVote(signer.apply(newVote(task, model, label, rejection, probabilities, System.nanoTime())), null);
    votes.incrementAndGet();
  }

  private Vote newVote(
      Task task, ServedModel model, int label, String rejection, List<Double> probabilities, long startNanos) {
    return new Vote(
        Vote.SCHEMA_VERSION,
        task.taskId(),
        config.peerId(),
        model.modelId(),
        dev.minigradient.protocol.Hashes.sha256Hex(task.input()),
        label,
        rejection,
        probabilities,
        (System.nanoTime() - startNanos) / 1e6,
        System.currentTimeMillis(),
        null, null, null,
        runtime);
  }

  private void deadLetter(ConsumerRecord<String, byte[]> record, String reason, String error, PollBatch batch) {
    log.warn(
        "peer {}: {} at {}-{}@{}: {}",
        config.peerId(), reason, record.topic(), record.partition(), record.offset(), error);
    deadLetters.incrementAndGet();
    producer.send(DeadLetters.of(record, "inference-worker/" + config.peerId(), reason, error), batch == null ? null : batch.expect());
  }

  private void publishPeer(boolean leaving) {
    Peer peer =
        new Peer(
            Peer.SCHEMA_VERSION,
            config.peerId(),
            Signatures.encodePublicKey(keys.getPublic()),
            config.stake(),
            List.copyOf(models.keySet()),
            Runtime.getRuntime().availableProcessors() + " cpu, " + System.getProperty("os.arch"),
            System.currentTimeMillis(),
            config.heartbeatIntervalMs(),
            leaving);
    producer.send(
        new ProducerRecord<>(
            Topics.PEERS.name(),
            config.peerId(),
            Topics.PEERS.valueSerde().serializer().serialize(Topics.PEERS.name(), peer)),
        (md, e) -> {
          if (e != null) {
            log.warn("peer {}: heartbeat failed: {}", config.peerId(), e.toString());
          }
        });
  }

  /**
   * Stops polling, announces that the peer leaves, and closes its clients.
   */
  @Override
  public void close() {
    boolean wasRunning = running.getAndSet(false) && !crashed.get();
    heartbeat.shutdownNow();
    if (delayed != null) {
      delayed.shutdownNow();
    }
    if (networkWatcher != null) {
      try {
        networkWatcher.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (copier != null) {
      try {
        copier.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      heartbeat.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread != null) {
      awaitPollLoop();
    } else {
      consumer.close(Duration.ZERO);
    }
    caller.shutdownNow();
    try {
      if (caller.awaitTermination(2, TimeUnit.SECONDS)) {
        taskReader.close(); // its thread is done with it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (wasRunning) {
      publishPeer(true);
    }
    producer.close(Duration.ofSeconds(5));
  }
}
