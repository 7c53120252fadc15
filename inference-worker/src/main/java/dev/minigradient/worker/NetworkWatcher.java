package dev.minigradient.worker;

import dev.minigradient.protocol.NetworkKey;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Rosters;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's view of what the consensus app announces, followed on one assigned consumer (no group,
 * {@code read_committed} as the consensus app reads them): the sealing key on {@code network.keys},
 * read from the beginning (compacted, a few records), the committee rosters on {@code
 * network.rosters}, read from {@link #lookbackMs} ago only (one record per epoch, kept forever),
 * and the seat replacements on {@code inference.replacements}, read from the end (a peer only needs
 * the appointments made after it started), those naming this peer handed to a {@link Calls}.
 * Records that are none of these go to the dead-letter topic and change nothing: the sealing key in
 * use stays, the rosters read stay.
 */
final class NetworkWatcher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(NetworkWatcher.class);

  /** Rosters are read from at least this long ago, ms. */
  static final long ROSTER_LOOKBACK_MS = 60_000;

  /**
   * Added to the look-back, ms: a roster is published about an epoch before it takes effect, so the
   * one in effect at the oldest task still served was published before that task.
   */
  static final long ROSTER_MARGIN_MS = 10_000;

  /** Where a record that is not a key or a roster goes: the peer's dead-letter sender. */
  @FunctionalInterface
  interface Rejects {
    /**
     * Sends a record to the dead-letter topic.
     *
     * @param record the record
     * @param reason short kebab-case reason
     * @param message what is wrong with it
     */
    void reject(ConsumerRecord<String, byte[]> record, String reason, String message);
  }

  /** Where a replacement appointing this peer goes. */
  @FunctionalInterface
  interface Calls {
    /**
     * Takes one appointment; must return quickly (the watcher's poll loop calls it).
     *
     * @param appointment a replacement naming this peer
     */
    void called(SeatReplacement appointment);
  }

  private final PeerContext peer;
  private final Rejects rejects;
  private final Calls calls;
  private final long lookbackMs;
  private final Rosters rosters = new Rosters();
  private final AtomicReference<Sealing.Sealer> sealer = new AtomicReference<>();
  private volatile boolean rostersCaughtUp;
  private String sealKey;

  /**
   * Creates the watcher; {@link #run()} follows the topics.
   *
   * @param peer the peer: its id, for logs; its max task age, which sets how far back rosters are
   *     read ({@code max(ROSTER_LOOKBACK_MS, maxTaskAgeMs) + ROSTER_MARGIN_MS} ago); its state,
   *     read after every poll ({@link #run()} returns once it no longer runs); its clients, which
   *     make the consumer (closed by {@link #run()})
   * @param rejects the dead-letter sender
   * @param calls takes each replacement naming the peer
   */
  NetworkWatcher(PeerContext peer, Rejects rejects, Calls calls) {
    this.peer = peer;
    this.rejects = rejects;
    this.calls = calls;
    this.lookbackMs = Math.max(ROSTER_LOOKBACK_MS, peer.config().maxTaskAgeMs()) + ROSTER_MARGIN_MS;
  }

  /**
   * The sealer of the consensus app's current key.
   *
   * @return it, or null until the key is read
   */
  Sealing.Sealer sealer() {
    return sealer.get();
  }

  /**
   * The rosters read so far (the watcher keeps adding to them).
   *
   * @return the live, thread-safe collection
   */
  Rosters rosters() {
    return rosters;
  }

  /**
   * Whether the peer can start answering tasks: the sealing key is known and the rosters published
   * before the watcher started have been read.
   *
   * @return true once both hold
   */
  boolean ready() {
    return sealer.get() != null && rostersCaughtUp;
  }

  /**
   * What {@link #ready()} still waits for.
   *
   * @return a phrase for a log line
   */
  String awaiting() {
    return sealer.get() == null
        ? "the consensus app's sealing key on " + Topics.NETWORK_KEYS.name()
        : "the recent rosters on " + Topics.ROSTERS.name();
  }

  /** Follows the topics until the peer no longer runs or the consumer is woken up. */
  @Override
  public void run() {
    try (Consumer<String, byte[]> c = peer.observer("network")) {
      List<TopicPartition> keyParts = partitions(c, Topics.NETWORK_KEYS.name());
      List<TopicPartition> rosterParts = partitions(c, Topics.ROSTERS.name());
      List<TopicPartition> callParts = partitions(c, Topics.REPLACEMENTS.name());
      List<TopicPartition> all = new ArrayList<>(keyParts);
      all.addAll(rosterParts);
      all.addAll(callParts);
      c.assign(all);
      c.seekToBeginning(keyParts);
      c.seekToEnd(callParts);
      callParts.forEach(c::position); // from now on, whenever the first poll comes
      Map<TopicPartition, Long> since = new HashMap<>();
      long from = System.currentTimeMillis() - lookbackMs;
      rosterParts.forEach(tp -> since.put(tp, from));
      Map<TopicPartition, OffsetAndTimestamp> starts =
          rosterParts.isEmpty() ? Map.of() : c.offsetsForTimes(since);
      for (TopicPartition tp : rosterParts) {
        OffsetAndTimestamp start = starts.get(tp);
        if (start == null) {
          c.seekToEnd(List.of(tp)); // nothing that recent: only rosters published from now on
        } else {
          c.seek(tp, start.offset());
        }
      }
      Map<TopicPartition, Long> ends = rosterParts.isEmpty() ? Map.of() : c.endOffsets(rosterParts);
      rostersCaughtUp = ends.isEmpty();
      while (peer.state().running.get()) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(Topics.ROSTERS.name())) {
            onRoster(r);
          } else if (r.topic().equals(Topics.REPLACEMENTS.name())) {
            onReplacement(r);
          } else {
            onKey(r);
          }
        }
        if (!rostersCaughtUp) {
          rostersCaughtUp =
              ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
        }
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("peer {}: network watcher stopped", peer.peerId(), e);
    }
  }

  private static List<TopicPartition> partitions(Consumer<String, byte[]> c, String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    List<PartitionInfo> infos = c.partitionsFor(topic);
    if (infos != null) { // null or empty: the topic does not exist (yet)
      infos.forEach(pi -> parts.add(new TopicPartition(pi.topic(), pi.partition())));
    }
    return parts;
  }

  private void onReplacement(ConsumerRecord<String, byte[]> r) {
    SeatReplacement call =
        decode(r, Topics.REPLACEMENTS, "replacement", SeatReplacement::taskId, "the task id");
    if (call != null && call.peerId().equals(peer.peerId())) {
      calls.called(call);
    }
  }

  private void onKey(ConsumerRecord<String, byte[]> r) {
    try {
      NetworkKey k =
          Topics.NETWORK_KEYS.valueSerde().deserializer().deserialize(r.topic(), r.value());
      if (k != null
          && NetworkKey.CONSENSUS_SEAL.equals(k.name())
          && !k.publicKey().equals(sealKey)) {
        sealer.set(Sealing.sealer(Sealing.decode(k.publicKey())));
        sealKey = k.publicKey();
        log.info(
            "peer {}: sealing votes to the consensus key published at {}",
            peer.peerId(),
            k.publishedAt());
      }
    } catch (SerializationException | IllegalArgumentException e) {
      rejects.reject(r, "malformed-key", e.getMessage()); // the sealing key in use stays
    }
  }

  private void onRoster(ConsumerRecord<String, byte[]> r) {
    // the consensus app finds rosters by key: one filed under another epoch would differ here
    Roster roster = decode(r, Topics.ROSTERS, "roster", Roster::key, "the roster's key");
    if (roster != null) {
      rosters.add(roster);
    }
  }

  /**
   * Reads a record's value, or dead-letters it as {@code malformed-<what>} when it cannot be read,
   * is empty, or is filed under a record key other than its own.
   *
   * @return the value; null once rejected
   */
  private <V> V decode(
      ConsumerRecord<String, byte[]> r,
      Topic<V> topic,
      String what,
      Function<V, String> keyOf,
      String keyName) {
    V value;
    try {
      value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (SerializationException e) {
      rejects.reject(r, "malformed-" + what, e.getMessage());
      return null;
    }
    if (value == null) {
      rejects.reject(r, "malformed-" + what, "empty " + what + " record");
      return null;
    }
    String key = keyOf.apply(value);
    if (!key.equals(r.key())) {
      rejects.reject(
          r, "malformed-" + what, "record key " + r.key() + " is not " + keyName + " " + key);
      return null;
    }
    return value;
  }
}
