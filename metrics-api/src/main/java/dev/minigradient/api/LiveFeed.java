package dev.minigradient.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API keeps in memory beside the Streams views, read by a {@link TopicReader} (one thread,
 * no consumer group, {@code read_committed}):
 *
 * <ul>
 *   <li>{@code inference.tasks} from the beginning: the newest tasks' input bytes, bounded by count
 *       and total bytes ({@link Limits}), so the API can show a task's image;
 *   <li>{@code peers.reputation} from the beginning: a bounded history per peer;
 *   <li>{@code inference.dead-letters} from the beginning: counts by reason, source topic and
 *       component, and the newest records' headers;
 *   <li>{@code inference.consensus} from the beginning: every decision into a {@link
 *       NetworkStats.Tally}; those made after the feed started also go to listeners, for live
 *       updates.
 * </ul>
 *
 * Memory stays bounded however long the network runs ({@link InputCache}, {@link
 * ReputationHistories}, {@link DeadLetterTally} keep it); this class reads and decodes the records.
 * Reading is at-most-once per process: a restarted API reads the retained topics again.
 */
public final class LiveFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);

  /**
   * The component of a dead letter that names none but carries Kafka Streams' headers: the
   * consensus app's, the network's only Kafka Streams dead-letter queue.
   */
  static final String STREAMS_COMPONENT = "consensus-streams";

  /**
   * Bounds of the in-memory feed.
   *
   * @param maxTasks most task inputs kept (the newest)
   * @param maxTaskBytes most input bytes kept in all
   * @param historyPerPeer most reputation points kept per peer (the newest)
   * @param recentDeadLetters most dead-letter records kept (the newest)
   */
  public record Limits(int maxTasks, long maxTaskBytes, int historyPerPeer, int recentDeadLetters) {
    /** The defaults: 5,000 inputs, 64 MiB, 500 points per peer, 200 dead letters. */
    public static final Limits DEFAULT = new Limits(5_000, 64L << 20, 500, 200);

    /** Validates the bounds. */
    public Limits {
      if (maxTasks < 1 || maxTaskBytes < 1 || historyPerPeer < 1 || recentDeadLetters < 1) {
        throw new IllegalArgumentException("limits must be positive");
      }
    }
  }

  /**
   * A task's input as submitted.
   *
   * @param taskId the task
   * @param modelId the model it names
   * @param name its display name, may be null
   * @param contentType the media type the requester gave, may be null
   * @param bytes the input bytes
   * @param submittedAt when it was submitted, epoch ms
   */
  public record StoredInput(
      String taskId,
      String modelId,
      String name,
      String contentType,
      byte[] bytes,
      long submittedAt) {}

  /**
   * One dead-letter record, without its payload.
   *
   * @param key the original record's key
   * @param reason short reason ({@link DeadLetters#REASON}), or, for a record without one, the
   *     simple name of the exception class, or {@code unknown}
   * @param component who gave up ({@link DeadLetters#COMPONENT}), or, for a record without one,
   *     {@value #STREAMS_COMPONENT} when it has Kafka Streams' exception header, or {@code unknown}
   * @param sourceTopic the original topic
   * @param partition the original partition, may be null
   * @param offset the original offset, may be null
   * @param message the error message
   * @param timestamp when it was dead-lettered, epoch ms
   * @param bytes size of the original value, bytes
   */
  public record DeadLetter(
      String key,
      String reason,
      String component,
      String sourceTopic,
      String partition,
      String offset,
      String message,
      long timestamp,
      int bytes) {}

  /**
   * Dead letters seen so far.
   *
   * @param total how many
   * @param byReason counts by reason
   * @param bySource counts by source topic
   * @param byComponent counts by component
   * @param recent the newest, newest first
   */
  public record DeadLetterSummary(
      long total,
      Map<String, Long> byReason,
      Map<String, Long> bySource,
      Map<String, Long> byComponent,
      List<DeadLetter> recent) {}

  private final TopicReader reader;

  private final InputCache inputs;
  private final ReputationHistories histories;
  private final DeadLetterTally deadLetters;
  private final AtomicLong tasksSeen = new AtomicLong();
  private final NetworkStats.Tally decisions = new NetworkStats.Tally();

  private final List<Consumer<Consensus>> consensusListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ObjectNode>> reputationListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<StoredInput>> taskListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<DeadLetter>> deadLetterListeners = new CopyOnWriteArrayList<>();

  /**
   * Creates the unstarted feed.
   *
   * @param kafka Kafka settings
   * @param limits memory bounds
   */
  public LiveFeed(KafkaSettings kafka, Limits limits) {
    this.inputs = new InputCache(limits.maxTasks(), limits.maxTaskBytes());
    this.histories = new ReputationHistories(limits.historyPerPeer());
    this.deadLetters = new DeadLetterTally(limits.recentDeadLetters());
    this.reader =
        new TopicReader(
            kafka,
            List.of(
                Topics.TASKS.name(),
                Topics.REPUTATION.name(),
                Topics.DEAD_LETTERS.name(),
                Topics.CONSENSUS.name()),
            "api-live-feed",
            this::handle,
            () ->
                log.info(
                    "live feed caught up: {} tasks, {} dead letters",
                    tasksSeen.get(),
                    deadLetters.total()));
  }

  /** Starts the reading thread. */
  public void start() {
    reader.start();
  }

  /**
   * Whether the feed has read the retained tasks, reputation and dead letters up to where they
   * ended when it started.
   *
   * @return true once caught up
   */
  public boolean caughtUp() {
    return reader.caughtUp();
  }

  /**
   * Registers a listener for each new decision, called on the feed's thread.
   *
   * @param listener the listener; must not block
   */
  public void onConsensus(Consumer<Consensus> listener) {
    consensusListeners.add(listener);
  }

  /**
   * Registers a listener for each reputation update (the point {@link #history} adds), called on
   * the feed's thread.
   *
   * @param listener the listener; must not block
   */
  public void onReputation(Consumer<ObjectNode> listener) {
    reputationListeners.add(listener);
  }

  /**
   * Registers a listener for each task read, called on the feed's thread.
   *
   * @param listener the listener; must not block
   */
  public void onTask(Consumer<StoredInput> listener) {
    taskListeners.add(listener);
  }

  /**
   * Registers a listener for each dead letter read, called on the feed's thread.
   *
   * @param listener the listener; must not block
   */
  public void onDeadLetter(Consumer<DeadLetter> listener) {
    deadLetterListeners.add(listener);
  }

  /**
   * A task's input.
   *
   * @param taskId the task
   * @return its input, or null if unknown or no longer kept
   */
  public StoredInput input(String taskId) {
    return inputs.get(taskId);
  }

  /**
   * Figures over every decision read from {@code inference.consensus}.
   *
   * @return the running tally
   */
  public NetworkStats.Tally decisions() {
    return decisions;
  }

  /**
   * Tasks read from {@code inference.tasks} since the feed started (its whole retained history,
   * then live).
   *
   * @return the count
   */
  public long tasksSeen() {
    return tasksSeen.get();
  }

  /**
   * A peer's reputation history: the JSON of each {@code peers.reputation} record (every field the
   * consensus app writes) plus {@code t}, the record's time in epoch ms; oldest first.
   *
   * @param peerId the peer
   * @return the points, empty if none
   */
  public List<ObjectNode> history(String peerId) {
    return histories.history(peerId);
  }

  /**
   * Dead letters so far.
   *
   * @return counts and the newest records
   */
  public DeadLetterSummary deadLetters() {
    return deadLetters.summary();
  }

  private void handle(ConsumerRecord<String, byte[]> r, boolean live) {
    String topic = r.topic();
    try {
      if (topic.equals(Topics.TASKS.name())) {
        handleTask(r);
      } else if (topic.equals(Topics.REPUTATION.name())) {
        handleReputation(r);
      } else if (topic.equals(Topics.DEAD_LETTERS.name())) {
        handleDeadLetter(r);
      } else if (topic.equals(Topics.CONSENSUS.name()) && r.value() != null) {
        Consensus c = JsonSerde.MAPPER.readValue(r.value(), Consensus.class);
        decisions.add(c, System.currentTimeMillis());
        // history counts; only decisions made since the feed started are news
        if (live) {
          consensusListeners.forEach(l -> l.accept(c));
        }
      }
    } catch (IOException | RuntimeException e) {
      // malformed records are the dead-letter topic's business, not the API's
      log.debug("live feed skips a record on {} at {}: {}", topic, r.offset(), e.toString());
    }
  }

  private void handleTask(ConsumerRecord<String, byte[]> r) throws IOException {
    if (r.value() == null) {
      return;
    }
    Task t = JsonSerde.MAPPER.readValue(r.value(), Task.class);
    tasksSeen.incrementAndGet();
    StoredInput in =
        new StoredInput(
            t.taskId(), t.modelId(), t.name(), t.contentType(), t.input(), r.timestamp());
    inputs.put(in);
    taskListeners.forEach(l -> l.accept(in));
  }

  private void handleReputation(ConsumerRecord<String, byte[]> r) throws IOException {
    if (r.key() == null || r.value() == null) {
      return;
    }
    if (r.value().length == 0) {
      return;
    }
    JsonNode node = JsonSerde.tree(r.value()); // CBOR on the topic; JSON written before it was

    if (!(node instanceof ObjectNode point)) {
      return;
    }
    JsonSerde.MAPPER.treeToValue(point, Reputation.class); // only well-formed records
    point.put("peerId", r.key());
    point.put("t", r.timestamp());
    histories.add(r.key(), point);
    reputationListeners.forEach(l -> l.accept(point));
  }

  private void handleDeadLetter(ConsumerRecord<String, byte[]> r) {
    DeadLetter d = deadLetter(r);
    deadLetters.add(d);
    deadLetterListeners.forEach(l -> l.accept(d));
  }

  /**
   * Reads a dead-letter record, labelled by its {@link DeadLetters#REASON} and {@link
   * DeadLetters#COMPONENT} headers, whichever component wrote it; a record without them (written
   * before every component named itself, or by hand) is labelled as {@link DeadLetter} says.
   *
   * @param r a record of the dead-letter topic
   * @return the dead letter, without its payload
   */
  static DeadLetter deadLetter(ConsumerRecord<String, byte[]> r) {
    var h = r.headers();
    String exception = DeadLetters.header(h, DeadLetters.EXCEPTION);
    String reason = DeadLetters.header(h, DeadLetters.REASON);
    if (reason == null) {
      reason = exception == null ? "unknown" : exception.substring(exception.lastIndexOf('.') + 1);
    }
    String component = DeadLetters.header(h, DeadLetters.COMPONENT);
    if (component == null) {
      // every component names itself; a record without a name but with Streams' headers comes
      // from the consensus app's Kafka Streams dead-letter queue
      component = exception == null ? "unknown" : STREAMS_COMPONENT;
    }
    return new DeadLetter(
        r.key(),
        reason,
        component,
        DeadLetters.header(h, DeadLetters.TOPIC),
        DeadLetters.header(h, DeadLetters.PARTITION),
        DeadLetters.header(h, DeadLetters.OFFSET),
        DeadLetters.header(h, DeadLetters.MESSAGE),
        r.timestamp(),
        r.value() == null ? 0 : r.value().length);
  }

  @Override
  public void close() {
    reader.close();
  }
}
