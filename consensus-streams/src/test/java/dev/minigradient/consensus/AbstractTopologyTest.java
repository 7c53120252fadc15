package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TaskBuilder;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.protocol.VoteBuilder;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness of the consensus topology's TopologyTestDriver tests: {@link ConsensusTopology#build}
 * in a driver whose wall clock starts at {@link #now}, the topics the tests feed and read, and
 * peers with Ed25519 keys that sign their votes.
 */
abstract class AbstractTopologyTest {
  /** The model every test task names and every test peer serves. */
  static final String MODEL = "a".repeat(64);

  /** A correct vote more than this after the decision is judged late, ms. */
  static final long LATE_GRACE_MS = 1_000;

  @TempDir Path stateDir;

  TopologyTestDriver driver;
  TestInputTopic<String, Task> tasks;
  TestInputTopic<String, Vote> votes;
  TestInputTopic<String, Peer> peers;
  TestInputTopic<String, Roster> rosters;
  TestOutputTopic<String, Consensus> consensus;
  TestOutputTopic<String, Settlement> settlements;
  TestOutputTopic<String, Reputation> reputation;
  TestOutputTopic<String, SeatReplacement> replacements;
  TestOutputTopic<String, Roster> publishedRosters;

  /** Each registered peer's key pair, kept across driver restarts. */
  final Map<String, KeyPair> keys = new HashMap<>();

  /** The driver's wall clock at start, epoch ms: the time of every record the tests write. */
  long now;

  /** The roster {@link #network} published last. */
  Roster roster;

  /**
   * A configuration on this test's state directory: deadlines checked every 100 ms, decided tasks
   * remembered 60 s, commits every 10 ms, audit salt 42, a late grace of {@link #LATE_GRACE_MS}.
   *
   * @param appId the application id
   * @param timeoutMs the task deadline, ms
   * @param exactlyOnce true for exactly_once_v2, false for at-least-once
   * @param auditRate share of decisions the referee re-executes, in [0,1]
   * @param committees committee settings
   * @return the configuration
   */
  ConsensusConfig config(
      String appId,
      long timeoutMs,
      boolean exactlyOnce,
      double auditRate,
      ConsensusConfig.Committees committees) {
    return new ConsensusConfig(
        appId,
        new KafkaSettings("localhost:9", Map.of()),
        stateDir,
        timeoutMs,
        100,
        60_000,
        10,
        exactlyOnce,
        auditRate,
        42L,
        LATE_GRACE_MS,
        committees);
  }

  /**
   * (Re)starts the driver on the topology {@code config} builds, its clock at the current time.
   *
   * @param config the configuration
   * @param referee the referee that re-executes tasks
   * @param sealing the consensus app's X25519 private key for sealed votes, or null
   */
  void start(ConsensusConfig config, Referee referee, PrivateKey sealing) {
    closeDriver();
    now = System.currentTimeMillis();
    driver =
        new TopologyTestDriver(
            ConsensusTopology.build(config, WeightRule.stakeTimesReputation(), referee, sealing),
            ConsensusTopology.streamsProperties(config),
            Instant.ofEpochMilli(now));
    tasks = input(Topics.TASKS);
    votes = input(Topics.VOTES);
    peers = input(Topics.PEERS);
    rosters = input(Topics.ROSTERS);
    consensus = output(Topics.CONSENSUS);
    settlements = output(Topics.SETTLEMENTS);
    reputation = output(Topics.REPUTATION);
    replacements = output(Topics.REPLACEMENTS);
    publishedRosters = output(Topics.ROSTERS);
  }

  /**
   * (Re)starts the driver at at-least-once with default committees, no audits, no referee and a
   * fresh sealing key, then registers {@code peerIds} with a stake of 100 each.
   *
   * @param appId the application id
   * @param peerIds the peers to register
   */
  void startWithPeers(String appId, String... peerIds) {
    start(
        config(appId, 5_000, false, 0.0, ConsensusConfig.Committees.DEFAULTS),
        Referee.none(),
        KeyKind.SEALING.generate().getPrivate());
    for (String p : peerIds) {
      registerPeer(p, 100, now);
    }
  }

  private <V> TestInputTopic<String, V> input(Topic<V> topic) {
    return driver.createInputTopic(
        topic.name(), Serdes.String().serializer(), topic.valueSerde().serializer());
  }

  private <V> TestOutputTopic<String, V> output(Topic<V> topic) {
    return driver.createOutputTopic(
        topic.name(), Serdes.String().deserializer(), topic.valueSerde().deserializer());
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
      driver = null;
    }
  }

  /**
   * Registers a peer serving {@link #MODEL}, generating its key pair on first use: a heartbeat
   * every 2 s, the last one stamped at {@code heartbeatAt}.
   *
   * @param id the peer id
   * @param stake its declared stake, tokens
   * @param heartbeatAt its heartbeat's time and record timestamp, epoch ms
   */
  void registerPeer(String id, double stake, long heartbeatAt) {
    KeyPair kp = keys.computeIfAbsent(id, k -> KeyKind.SIGNING.generate());
    peers.pipeInput(
        id,
        Peer.builder()
            .peerId(id)
            .publicKey(KeyKind.encode(kp.getPublic()))
            .stake(stake)
            .models(List.of(MODEL))
            .hardware("test")
            .heartbeatAt(heartbeatAt)
            .heartbeatIntervalMs(2_000)
            .build(),
        heartbeatAt);
  }

  /**
   * Registers peers of stake 100 and publishes a roster of them, in effect from now.
   *
   * @param redundancy the roster's default committee seats
   * @param ids the peer ids
   */
  void network(int redundancy, String... ids) {
    for (String id : ids) {
      registerPeer(id, 100, now);
    }
    roster = new Roster(Roster.SCHEMA_VERSION, now - 1, "beacon-" + now, redundancy, members(ids));
    rosters.pipeInput(roster.key(), roster, now);
  }

  /**
   * Roster members of equal weight (1) serving {@link #MODEL}.
   *
   * @param ids the peer ids
   * @return the members, in order
   */
  static List<Roster.Member> members(String... ids) {
    List<Roster.Member> members = new ArrayList<>();
    for (String id : ids) {
      members.add(new Roster.Member(id, 1.0, List.of(MODEL)));
    }
    return List.copyOf(members);
  }

  /**
   * Peer ids {@code p1} to {@code pn}.
   *
   * @param n how many
   * @return the ids
   */
  static String[] ids(int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = "p" + (i + 1);
    }
    return ids;
  }

  /**
   * A task for {@link #MODEL} on {@code input}, submitted now by {@code test}, as a PNG.
   *
   * @param taskId the task id
   * @param input the input bytes
   * @return a builder for the rest
   */
  TaskBuilder task(String taskId, byte[] input) {
    return Task.builder()
        .taskId(taskId)
        .modelId(MODEL)
        .input(input)
        .contentType("image/png")
        .inputSha256(Hashes.sha256Hex(input))
        .submittedAt(now)
        .requester("test");
  }

  /**
   * Submits a task named after its id on a small input of its own, now.
   *
   * @param taskId the task id
   * @return the task piped to the tasks topic
   */
  Task submit(String taskId) {
    byte[] input = {1, 2, 3, (byte) taskId.hashCode()};
    Task t = task(taskId, input).name(taskId + ".png").build();
    tasks.pipeInput(taskId, t);
    return t;
  }

  /**
   * Probabilities over ten classes that give {@code label} the probability {@code top} and share
   * the rest evenly.
   *
   * @param label the leading class
   * @param top its probability, in [0,1]
   * @return ten probabilities summing to 1
   */
  static List<Double> probabilities(int label, double top) {
    List<Double> p = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      p.add(i == label ? top : (1 - top) / 9);
    }
    return p;
  }

  /**
   * A vote by {@code peerId} for {@code label}, cast now and signed with the peer's key.
   *
   * @param task the task answered
   * @param peerId a registered peer
   * @param label the label
   * @param probabilities the probabilities, one per class
   * @return the signed vote
   */
  Vote signedVote(Task task, String peerId, int label, List<Double> probabilities) {
    return signedBy(
        peerId,
        voteFor(task, peerId).label(label).probabilities(probabilities).inferenceMs(1.5).build());
  }

  /**
   * An unsigned vote by {@code peerId} on {@code task}, cast now: its task, peer, model ({@link
   * #MODEL}) and input digest set, the rest (label, odds, rejection) for the caller.
   *
   * @param task the task answered
   * @param peerId the voting peer
   * @return a builder for the rest
   */
  VoteBuilder voteFor(Task task, String peerId) {
    return Vote.builder()
        .taskId(task.taskId())
        .peerId(peerId)
        .modelId(MODEL)
        .inputSha256(task.inputSha256())
        .votedAt(now);
  }

  /**
   * A vote signed with a registered peer's key (which need not be the peer the vote names).
   *
   * @param peerId the registered peer whose key signs
   * @param vote the vote
   * @return the signed vote
   */
  Vote signedBy(String peerId, Vote vote) {
    return Signatures.sign(vote, keys.get(peerId).getPrivate());
  }

  /**
   * The next record on the consensus topic, which must be a {@link ConsensusStatus#DECIDED}
   * decision.
   *
   * @return the decision
   */
  Consensus readDecided() {
    Consensus c = consensus.readValue();
    assertThat(c.status()).isEqualTo(ConsensusStatus.DECIDED);
    return c;
  }

  /**
   * The verdict of one peer in a decision.
   *
   * @param c the decision
   * @param peerId the peer
   * @return its verdict
   */
  static PeerVerdict verdictOf(Consensus c, String peerId) {
    return c.verdicts().stream().filter(v -> v.peerId().equals(peerId)).findFirst().orElseThrow();
  }

  /**
   * The dead-letter topic, its records' values as the bytes that were received.
   *
   * @return the topic
   */
  TestOutputTopic<String, byte[]> deadLetters() {
    return driver.createOutputTopic(
        Topics.DEAD_LETTERS.name(),
        Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }
}
