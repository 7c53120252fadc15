package dev.minigradient.worker;

import dev.minigradient.model.InferenceEngine;
import dev.minigradient.model.Preprocessing;
import dev.minigradient.model.RuntimeDescription;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.TaskPeek;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.worker.adversary.Adversary;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer of the network: reads every task (its own consumer group, {@code peer-<id>}), decodes
 * and preprocesses the image, runs the model, and publishes a signed {@link Vote}; registers on
 * {@link Topics#PEERS} and keeps a heartbeat there.
 *
 * <p>Committees: the peer follows {@code network.rosters} ({@link NetworkWatcher}) and, before it
 * decodes a task, peeks at its model and redundancy ({@link TaskPeek}); a task whose committee
 * seats only other peers, or whose model it does not serve, is skipped undecoded ({@link Seating}).
 * Simulated adversaries follow the same rule. A peer appointed to a silent seat's place ({@link
 * SeatReplacement} on {@code inference.replacements}, which the {@link NetworkWatcher} follows)
 * reads that task record by position ({@link TaskReader}) on a thread of its own and answers it as
 * a seated peer does, adversaries included; an appointment for a model it does not serve, for a
 * task older than its max task age, or for a task already answered on an appointment is ignored.
 * Each vote carries {@link RuntimeDescription#current()}.
 *
 * <p>Delivery is at-least-once: a poll's task offsets are committed only once the broker has
 * acknowledged every vote and dead letter the poll caused, so a crash may re-send a vote, which the
 * consensus counts once per (task, peer). The acknowledgements are not awaited in line: the next
 * poll is handled while the previous one's votes are in flight, and its offsets are committed
 * (asynchronously) when they are all acknowledged. Signing, sealing and sending run on a second
 * thread, so they overlap the decoding and inference of the next task. Input that cannot be decoded
 * gets a rejecting vote (label {@link Vote#REJECTED} with the reason) and a {@link DeadLetters dead
 * letter}; a record that is not a task at all gets only the dead letter.
 */
public final class PeerWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerWorker.class);

  /**
   * The vote producer's {@code linger.ms}: votes are no longer flushed per poll, so a linger would
   * delay every vote by its length at light load; under load, votes queued while a request is in
   * flight still leave in one batch.
   */
  public static final int LINGER_MS = ClientSettings.LINGER_MS;

  private final PeerContext peer;
  private final PeerState state;
  private final Behavior behavior;
  private final Adversary adversary;
  private final Heartbeat heartbeat;
  private final Outbox outbox;

  /** The sealing key and the rosters, from {@code network.keys} and {@code network.rosters}. */
  private final NetworkWatcher network;

  private final TaskPipeline pipeline;
  private final Appointments appointments;
  private final PollLoop pollLoop;
  private Thread networkWatcher;
  private Thread thread;

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
                "mnist",
                engine,
                Preprocessing.named("mnist-digit", config.maxPixels()),
                List.of())));
  }

  /**
   * Creates an unstarted peer.
   *
   * @param config the peer's settings
   * @param served the models it serves (their engines are not closed by this worker)
   * @throws IllegalArgumentException if {@code served} is empty
   */
  public PeerWorker(WorkerConfig config, List<ServedModel> served) {
    this(config, served, KeyKind.SIGNING.generate());
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
  public PeerWorker(
      WorkerConfig config, List<ServedModel> served, KeyPair keys, Behavior behavior) {
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
  PeerWorker(
      WorkerConfig config,
      List<ServedModel> served,
      KeyPair keys,
      Behavior behavior,
      PeerClients clients) {
    this.behavior = Objects.requireNonNull(behavior, "behavior");
    if (served.isEmpty()) {
      throw new IllegalArgumentException("a peer serves at least one model");
    }
    Map<String, ServedModel> models = new LinkedHashMap<>();
    served.forEach(m -> models.put(m.modelId(), m));
    this.state = new PeerState();
    this.peer =
        new PeerContext(
            config,
            state,
            Collections.unmodifiableMap(models),
            clients,
            clients.producer(ClientSettings.producer(config.peerId())));
    this.adversary = behavior.adversary();
    this.heartbeat =
        new Heartbeat(
            config,
            KeyKind.encode(keys.getPublic()),
            List.copyOf(models.keySet()),
            peer.producer());
    this.network = new NetworkWatcher(peer, this::deadLetter, this::onCall);
    this.outbox = new Outbox(peer, Signatures.signer(keys.getPrivate()), network::sealer);
    this.pipeline = new TaskPipeline(peer, adversary, outbox, () -> halt("simulated"));
    this.appointments = new Appointments(peer, pipeline, network::ready);
    this.pollLoop = new PollLoop(peer, network, pipeline, outbox, this::onStop);
  }

  /** A record the network watcher cannot read: a dead letter no offset waits for. */
  private void deadLetter(ConsumerRecord<String, byte[]> record, String reason, String message) {
    outbox.deadLetter(record, reason, message, null);
  }

  /** An appointment the network watcher read. */
  private void onCall(SeatReplacement call) {
    appointments.onCall(call);
  }

  /** Registers the peer and starts its poll loop and heartbeat on their own threads. */
  public void start() {
    if (!state.running.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    heartbeat.start();
    adversary.start(pipeline);
    networkWatcher = DaemonThreads.of(network, "peer-" + peer.peerId() + "-network");
    networkWatcher.start();
    thread = new Thread(pollLoop, "peer-" + peer.peerId());
    thread.start();
    log.info(
        "peer {} ({}) serving models {} started", peer.peerId(), behavior, peer.models().keySet());
  }

  /**
   * The peer's behaviour.
   *
   * @return honest or a simulated adversary
   */
  public Behavior behavior() {
    return behavior;
  }

  /**
   * Whether a {@link Behavior.Kind#CRASH} peer has stopped, or {@link #crash()} was called.
   *
   * @return true once it crashed
   */
  public boolean hasCrashed() {
    return state.crashed.get();
  }

  /**
   * Stops the peer the way a killed process stops, for fault tests: no more votes or heartbeats, no
   * leaving record, the offsets of the poll in hand not committed, and its consumer stays in the
   * group until the group coordinator's session timeout expires. A new {@code PeerWorker} with the
   * same peer id and key takes over from the last committed offsets.
   */
  public void crash() {
    if (halt("simulated kill")) {
      outbox.shutdownNow();
      appointments.shutdownNow();
      if (thread != null) {
        pollLoop.wakeAndAwait();
      }
    }
  }

  /** Marks the peer crashed and stops its heartbeat, from any thread, without waiting. */
  private boolean halt(String how) {
    if (!state.crashed.compareAndSet(false, true)) {
      return false;
    }
    log.warn("peer {} crashes ({}) after {} votes", peer.peerId(), how, state.votes.get());
    heartbeat.stop();
    state.running.set(false);
    return true;
  }

  /**
   * Run by the poll loop once it stops: a peer that no longer votes must not stay eligible, so it
   * stops beating and says so (unless it simulates a crash, which says nothing).
   */
  private void onStop() {
    heartbeat.stop();
    outbox.shutdownNow();
    appointments.shutdownNow();
    if (state.running.getAndSet(false) && !state.crashed.get()) {
      heartbeat.publishLeaving();
    }
  }

  /**
   * The peer's id.
   *
   * @return the id
   */
  public String peerId() {
    return peer.peerId();
  }

  /**
   * Whether this instance has joined its consumer group and been given partitions of the tasks
   * topic (an instance beyond the partition count never is).
   *
   * @return true once partitions were assigned
   */
  public boolean isAssigned() {
    return pollLoop.isAssigned();
  }

  /**
   * The roster this peer has read for a time: the one it draws committees from for a task appended
   * then.
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
    return state.votes.get();
  }

  /**
   * Votes a {@link Behavior.Kind#FORGER} peer published in other peers' names so far.
   *
   * @return the count
   */
  public long forgedVotesPublished() {
    return state.forgedVotes.get();
  }

  /**
   * Tasks skipped undecoded because their committee seats only other peers ({@link
   * Seating.Decision#SKIP_UNSEATED}).
   *
   * @return the count
   */
  public long tasksSkipped() {
    return state.skipped.get();
  }

  /**
   * Tasks answered on an appointment to a silent seat's place ({@link SeatReplacement}).
   *
   * @return the count
   */
  public long callsAnswered() {
    return state.callsAnswered.get();
  }

  /**
   * Dead letters published so far.
   *
   * @return the count
   */
  public long deadLettersPublished() {
    return state.deadLetters.get();
  }

  /** Stops polling, announces that the peer leaves, and closes its clients. */
  @Override
  public void close() {
    boolean wasRunning = state.running.getAndSet(false) && !state.crashed.get();
    heartbeat.stop();
    if (networkWatcher != null) {
      try {
        networkWatcher.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    adversary.close();
    heartbeat.awaitStopped();
    if (thread != null) {
      pollLoop.wakeAndAwait();
    } else {
      pollLoop.closeUnstarted();
    }
    appointments.close();
    if (wasRunning) {
      heartbeat.publishLeaving();
    }
    peer.producer().close(Duration.ofSeconds(5));
  }
}
