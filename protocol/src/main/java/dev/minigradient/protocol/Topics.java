package dev.minigradient.protocol;

import java.util.List;

/** Every topic of the network. No other class writes a topic name as a string. */
public final class Topics {
  private Topics() {}

  /** Inference tasks, key = task id. Every peer reads every task (one consumer group per peer). */
  public static final Topic<Task> TASKS =
      new Topic<>("inference.tasks", new JsonSerde<>(Task.class), false);

  /** Peers' votes, key = task id: co-partitioned with {@link #TASKS}. */
  public static final Topic<Vote> VOTES =
      new Topic<>("inference.votes", new JsonSerde<>(Vote.class), false);

  /** Exactly one consensus per task, key = task id. */
  public static final Topic<Consensus> CONSENSUS =
      new Topic<>("inference.consensus", new JsonSerde<>(Consensus.class), false);

  /** Peer registrations and heartbeats, key = peer id, compacted. */
  public static final Topic<Peer> PEERS =
      new Topic<>("peers.registry", new JsonSerde<>(Peer.class), true);

  /** Changelog of the reputation KTable, key = peer id, compacted. */
  public static final Topic<Reputation> REPUTATION =
      new Topic<>("peers.reputation", new JsonSerde<>(Reputation.class), true);

  /** Records that could not be processed: original key and value, error in headers ({@link DeadLetters}). */
  public static final Topic<byte[]> DEAD_LETTERS =
      new Topic<>(
          "inference.dead-letters",
          org.apache.kafka.common.serialization.Serdes.ByteArray(),
          false);

  /** All topics, in creation order. */
  public static final List<Topic<?>> ALL =
      List.of(TASKS, VOTES, CONSENSUS, PEERS, REPUTATION, DEAD_LETTERS);

  /** Consumer group id prefix of peers: peer {@code p1} reads tasks in group {@code peer-p1}. */
  public static final String PEER_GROUP_PREFIX = "peer-";
}
