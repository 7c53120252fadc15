package dev.minigradient.protocol;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic of the network. No other class writes a topic name as a string. */
public final class Topics {
  private Topics() {}

  /**
   * Inference tasks, key = task id. Every peer reads every task (one consumer group per peer).
   * Records are stamped by the broker ({@code LogAppendTime}), so a peer judges a task's age by the
   * broker's clock, not the requester's.
   */
  public static final Topic<Task> TASKS =
      new Topic<>(
          "inference.tasks",
          new JsonSerde<>(Task.class),
          Map.of("message.timestamp.type", "LogAppendTime"));

  /**
   * Peers' votes, key = task id: co-partitioned with {@link #TASKS}. CBOR ({@link
   * JsonSerde#compact}).
   */
  public static final Topic<Vote> VOTES =
      new Topic<>("inference.votes", JsonSerde.compact(Vote.class), Map.of());

  /** Exactly one consensus per task, key = task id. */
  public static final Topic<Consensus> CONSENSUS =
      new Topic<>("inference.consensus", new JsonSerde<>(Consensus.class), Map.of());

  /**
   * Peer registrations and heartbeats, key = peer id, compacted. Records are stamped by the broker
   * ({@code LogAppendTime}), so whether a peer is active does not depend on its clock.
   */
  public static final Topic<Peer> PEERS =
      new Topic<>(
          "peers.registry",
          new JsonSerde<>(Peer.class),
          Map.of("cleanup.policy", "compact", "message.timestamp.type", "LogAppendTime"));

  /**
   * Changelog of the reputation KTable, key = peer id, compacted. CBOR ({@link JsonSerde#compact}).
   */
  public static final Topic<Reputation> REPUTATION =
      new Topic<>(
          "peers.reputation",
          JsonSerde.compact(Reputation.class),
          Map.of("cleanup.policy", "compact"));

  /**
   * Every settled verdict, key = peer id ({@link Settlement}): the append-only log the reputation
   * KTable is folded from, kept for audits ({@code replay}). Not compacted. CBOR ({@link
   * JsonSerde#compact}).
   */
  public static final Topic<Settlement> SETTLEMENTS =
      new Topic<>("peers.settlements", JsonSerde.compact(Settlement.class), Map.of());

  /**
   * Records that could not be processed: original key and value, error in headers ({@link
   * DeadLetters}).
   */
  public static final Topic<byte[]> DEAD_LETTERS =
      new Topic<>("inference.dead-letters", Serdes.ByteArray(), Map.of());

  /**
   * Public keys the services announce, key = key name, compacted: the consensus app's X25519 key
   * that peers seal their votes to ({@link Sealing}).
   */
  public static final Topic<NetworkKey> NETWORK_KEYS =
      new Topic<>(
          "network.keys", new JsonSerde<>(NetworkKey.class), Map.of("cleanup.policy", "compact"));

  /**
   * Committee rosters, key = {@link Roster#key()} (the epoch's start, zero-padded): the candidates
   * and beacon every party draws committees from ({@link Committee}). Readers keep every roster
   * they read, by its start; kept (not compacted) for {@code replay}.
   */
  public static final Topic<Roster> ROSTERS =
      new Topic<>("network.rosters", new JsonSerde<>(Roster.class), Map.of());

  /**
   * Replacements of silent seats, key = task id ({@link SeatReplacement}): at a committee's seat
   * timeout the consensus app appoints each silent seat's next-ranked candidate, which reads the
   * task and answers it. Peers follow it from the end; kept (not compacted) for {@code replay}.
   */
  public static final Topic<SeatReplacement> REPLACEMENTS =
      new Topic<>("inference.replacements", new JsonSerde<>(SeatReplacement.class), Map.of());

  /** All topics, in creation order. */
  public static final List<Topic<?>> ALL =
      List.of(
          TASKS,
          VOTES,
          CONSENSUS,
          PEERS,
          REPUTATION,
          DEAD_LETTERS,
          NETWORK_KEYS,
          SETTLEMENTS,
          ROSTERS,
          REPLACEMENTS);

  /** Consumer group id prefix of peers: peer {@code p1} reads tasks in group {@code peer-p1}. */
  public static final String PEER_GROUP_PREFIX = "peer-";
}
