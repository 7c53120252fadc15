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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API keeps in memory beside the Streams views, read by one consumer thread (no
 * consumer group: it assigns itself every partition, {@code read_committed}):
 *
 * <ul>
 *   <li>{@code inference.tasks} from the beginning: the newest tasks' input bytes, bounded by
 *       count and total bytes ({@link Limits}), so the API can show a task's image;
 *   <li>{@code peers.reputation} from the beginning: a bounded history per peer;
 *   <li>{@code inference.dead-letters} from the beginning: counts by reason, source topic and
 *       component, and the newest records' headers;
 *   <li>{@code inference.consensus} from the beginning: every decision into a {@link
 *       NetworkStats.Tally}; those made after the feed started also go to listeners, for live
 *       updates.
 * </ul>
 *
 * Memory stays bounded however long the network runs. Reading is at-most-once per process: a
 * restarted API reads the retained topics again.
 */
public final class LiveFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);

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
      String taskId, String modelId, String name, String contentType, byte[] bytes, long submittedAt) {}

  /**
   * One dead-letter record, without its payload.
   *
   * @param key the original record's key
   * @param reason short reason ({@link DeadLetters#REASON}), or the exception class when absent
   * @param component who gave up, may be null
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

  private final KafkaSettings kafka;
  private final Limits limits;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;
  private volatile KafkaConsumer<String, byte[]> consumer;

  private final Object lock = new Object();
  private final LinkedHashMap<String, StoredInput> inputs = new LinkedHashMap<>();
  private long inputBytes;
  private final AtomicLong tasksSeen = new AtomicLong();
  private final NetworkStats.Tally decisions = new NetworkStats.Tally();
  private final Map<TopicPartition, Long> consensusStart = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, ArrayDeque<ObjectNode>> histories = new TreeMap<>();
  private final Map<String, Long> deadByReason = new TreeMap<>();
  private final Map<String, Long> deadBySource = new TreeMap<>();
  private final Map<String, Long> deadByComponent = new TreeMap<>();
  private final ArrayDeque<DeadLetter> recentDead = new ArrayDeque<>();
  private long deadTotal;

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
    this.kafka = kafka;
    this.limits = limits;
    this.thread = new Thread(this::run, "api-live-feed");
    this.thread.setDaemon(true);
  }

  /** Starts the reading thread. */
  public void start() {
    thread.start();
  }

  /**
   * Whether the feed has read the retained tasks, reputation and dead letters up to where they
   * ended when it started.
   *
   * @return true once caught up
   */
  public boolean caughtUp() {
    return caughtUp;
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
   * Registers a listener for each reputation update (the point {@link #history} adds), called
   * on the feed's thread.
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
    synchronized (lock) {
      return inputs.get(taskId);
    }
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
   * Tasks read from {@code inference.tasks} since the feed started (its whole retained
   * history, then live).
   *
   * @return the count
   */
  public long tasksSeen() {
    return tasksSeen.get();
  }

  /**
   * A peer's reputation history: the JSON of each {@code peers.reputation} record (every field
   * the consensus app writes) plus {@code t}, the record's time in epoch ms; oldest first.
   *
   * @param peerId the peer
   * @return the points, empty if none
   */
  public List<ObjectNode> history(String peerId) {
    synchronized (lock) {
      ArrayDeque<ObjectNode> h = histories.get(peerId);
      return h == null ? List.of() : List.copyOf(h);
    }
  }

  /**
   * Dead letters so far.
   *
   * @return counts and the newest records
   */
  public DeadLetterSummary deadLetters() {
    synchronized (lock) {
      List<DeadLetter> recent = new ArrayList<>(recentDead);
      java.util.Collections.reverse(recent);
      return new DeadLetterSummary(
          deadTotal,
          new TreeMap<>(deadByReason),
          new TreeMap<>(deadBySource),
          new TreeMap<>(deadByComponent),
          recent);
    }
  }

  private void run() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(2 << 20));
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(kafka.properties(props), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (!running) {
        return;
      }
      List<TopicPartition> all = new ArrayList<>();
      for (String topic :
          List.of(Topics.TASKS.name(), Topics.REPUTATION.name(), Topics.DEAD_LETTERS.name(), Topics.CONSENSUS.name())) {
        all.addAll(partitions(c, topic));
      }
      if (!running) {
        return;
      }
      c.assign(all);
      c.seekToBeginning(all);
      Map<TopicPartition, Long> ends = c.endOffsets(all);
      ends.forEach((tp, end) -> {
        if (tp.topic().equals(Topics.CONSENSUS.name())) {
          consensusStart.put(tp, end);
        }
      });
      while (running) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          handle(r);
        }
        if (!caughtUp && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
          caughtUp = true;
          log.info("live feed caught up: {} tasks, {} dead letters", tasksSeen.get(), deadTotal);
        }
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        log.error("live feed stopped", e);
      }
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
    while (running) {
      try {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos != null && !infos.isEmpty()) {
          return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        }
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        log.debug("waiting for topic {}: {}", topic, e.toString());
      }
      // topics are created by the consensus app and peers: poll until they exist
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    return List.of();
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
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
        if (r.offset() >= consensusStart.getOrDefault(new TopicPartition(topic, r.partition()), 0L)) {
          consensusListeners.forEach(l -> l.accept(c));
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // malformed records are the dead-letter topic's business, not the API's
      log.debug("live feed skips a record on {} at {}: {}", topic, r.offset(), e.toString());
    }
  }

  private void handleTask(ConsumerRecord<String, byte[]> r) throws java.io.IOException {
    if (r.value() == null) {
      return;
    }
    Task t = JsonSerde.MAPPER.readValue(r.value(), Task.class);
    tasksSeen.incrementAndGet();
    StoredInput in =
        new StoredInput(t.taskId(), t.modelId(), t.name(), t.contentType(), t.input(), r.timestamp());
    synchronized (lock) {
      StoredInput old = inputs.remove(t.taskId());
      if (old != null) {
        inputBytes -= old.bytes().length;
      }
      inputs.put(t.taskId(), in);
      inputBytes += in.bytes().length;
      Iterator<StoredInput> it = inputs.values().iterator();
      while (it.hasNext() && (inputs.size() > limits.maxTasks() || inputBytes > limits.maxTaskBytes())) {
        inputBytes -= it.next().bytes().length;
        it.remove();
      }
    }
    taskListeners.forEach(l -> l.accept(in));
  }

  private void handleReputation(ConsumerRecord<String, byte[]> r) throws java.io.IOException {
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
    synchronized (lock) {
      ArrayDeque<ObjectNode> h = histories.computeIfAbsent(r.key(), k -> new ArrayDeque<>());
      h.addLast(point);
      while (h.size() > limits.historyPerPeer()) {
        h.removeFirst();
      }
    }
    reputationListeners.forEach(l -> l.accept(point));
  }

  private void handleDeadLetter(ConsumerRecord<String, byte[]> r) {
    var h = r.headers();
    String reason = DeadLetters.header(h, DeadLetters.REASON);
    if (reason == null) {
      String exception = DeadLetters.header(h, DeadLetters.EXCEPTION);
      reason = exception == null ? "unknown" : exception.substring(exception.lastIndexOf('.') + 1);
    }
    String source = DeadLetters.header(h, DeadLetters.TOPIC);
    String component = DeadLetters.header(h, DeadLetters.COMPONENT);
    DeadLetter d =
        new DeadLetter(
            r.key(),
            reason,
            component,
            source,
            DeadLetters.header(h, DeadLetters.PARTITION),
            DeadLetters.header(h, DeadLetters.OFFSET),
            DeadLetters.header(h, DeadLetters.MESSAGE),
            r.timestamp(),
            r.value() == null ? 0 : r.value().length);
    synchronized (lock) {
      deadTotal++;
      deadByReason.merge(reason, 1L, Long::sum);
      deadBySource.merge(source == null ? "unknown" : source, 1L, Long::sum);
      deadByComponent.merge(component == null ? "kafka-streams" : component, 1L, Long::sum);
      recentDead.addLast(d);
      while (recentDead.size() > limits.recentDeadLetters()) {
        recentDead.removeFirst();
      }
    }
    deadLetterListeners.forEach(l -> l.accept(d));
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread.isAlive()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
